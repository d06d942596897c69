package dev.rolloutledger.agent;

/** Why an agent refused a command. A refused command changes nothing on the host. */
public enum Rejection {
  /** A field is missing or unreadable. */
  MALFORMED,
  /** Signed under a key id the agent does not trust. */
  UNKNOWN_KEY,
  /** The signature does not verify over the command's fields (forged or tampered). */
  BAD_SIGNATURE,
  /** Validly signed, but for another tenant. */
  WRONG_TENANT,
  /** Validly signed, but for another host. */
  WRONG_HOST,
  /** Its expiresAt has passed: too old to act on. */
  EXPIRED,
  /** Issued later than the agent's clock allows (beyond the tolerated skew). */
  NOT_YET_VALID,
  /** Its seq is not above the last one the agent persisted: a replay or an older command. */
  REPLAYED,
  /** Already waiting to be acted on (the same seq delivered again). */
  DUPLICATE
}
