package dev.rolloutledger.schemas.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.schemas.commands.KeySet.Entry;
import dev.rolloutledger.schemas.commands.KeySet.Key;
import dev.rolloutledger.schemas.commands.KeySet.Status;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeySetTest {
  private static final Instant AT = Instant.parse("2026-12-07T17:00:00Z");

  private static Entry e(String id, Status status, boolean claim) {
    return new Entry(id, "pub-" + id, status, AT, claim);
  }

  private static KeySet of(Entry... entries) {
    KeySet set = new KeySet();
    for (Entry entry : entries) {
      // every entry goes through the log's JSON, as instances read it
      set.apply(Entry.fromJson(entry.toJson()));
    }
    return set;
  }

  private static List<String> listed(KeySet set) {
    return set.verifying().stream().map(k -> k.keyId() + ":" + k.status().wire()).toList();
  }

  @Test
  void theFirstClaimInLogOrderWinsWhenTwoInstancesStartTogether() {
    KeySet set = of(e("a", Status.ACTIVE, true), e("b", Status.ACTIVE, true));
    assertThat(set.active().map(Key::keyId)).hasValue("a");
    assertThat(listed(set)).containsExactly("a:active");
  }

  @Test
  void rotationPublishesActivatesThenRetires() {
    KeySet set = of(e("a", Status.ACTIVE, true), e("b", Status.VERIFYING, false));
    assertThat(listed(set)).containsExactly("a:active", "b:verifying");
    set.apply(e("b", Status.ACTIVE, false));
    assertThat(listed(set)).containsExactly("b:active", "a:verifying");
    set.apply(e("a", Status.RETIRED, false));
    assertThat(listed(set)).containsExactly("b:active");
  }

  @Test
  void entriesThatBreakTheRulesChangeNothing() {
    KeySet set = of(e("a", Status.ACTIVE, true));
    set.apply(e("a", Status.RETIRED, false)); // the active key cannot be retired
    set.apply(new Entry("a", "another-public-key", Status.VERIFYING, AT, false)); // one id, one key
    assertThat(listed(set)).containsExactly("a:active");
    assertThat(set.key("a").orElseThrow().publicKey()).isEqualTo("pub-a");
    set.apply(e("b", Status.VERIFYING, false));
    set.apply(e("b", Status.RETIRED, false));
    set.apply(e("b", Status.ACTIVE, false)); // a retired key never signs again
    assertThat(set.active().map(Key::keyId)).hasValue("a");
    assertThat(listed(set)).containsExactly("a:active");
  }

  @Test
  void aClaimOnAnEmptySetIsHonouredAndAnActivationNeedsNoClaim() {
    assertThat(of(e("x", Status.ACTIVE, false)).active().map(Key::keyId)).hasValue("x");
    assertThat(of().active()).isEmpty();
  }
}
