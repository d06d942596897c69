package dev.rolloutledger.schemas.registry;

/** A registry error with the Confluent error code, so the REST facade and clients agree. */
public class SchemaRegistryException extends RuntimeException {
  public static final int SUBJECT_NOT_FOUND = 40401;
  public static final int VERSION_NOT_FOUND = 40402;
  public static final int SCHEMA_NOT_FOUND = 40403;
  public static final int VERSION_SOFT_DELETED = 40406;
  public static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;
  public static final int INCOMPATIBLE = 409;
  public static final int INVALID_SCHEMA = 42201;
  public static final int INVALID_VERSION = 42202;
  public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
  public static final int OPERATION_NOT_PERMITTED = 42205;

  /** No credentials, or ones that name no token (HTTP 401). */
  public static final int UNAUTHENTICATED = 40101;

  /** A token whose role may not do this (HTTP 403). */
  public static final int FORBIDDEN = 40301;

  public static final int UNAVAILABLE = 50001;

  private final int errorCode;

  public SchemaRegistryException(int errorCode, String message) {
    super(message);
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(int errorCode, String message, Throwable cause) {
    super(message, cause);
    this.errorCode = errorCode;
  }

  public int errorCode() {
    return errorCode;
  }

  /** The HTTP status Confluent uses for this error code. */
  public int httpStatus() {
    return errorCode >= 10000 ? errorCode / 100 : errorCode;
  }
}
