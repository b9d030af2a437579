"""Customer rows staged a column at a time: the same row hashes and ciphertext format as stored versions hold."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mofang.integration import logic
from mofang.platform.crypto import PiiCipher

ROW = {"customer_id": "C1", "name": "张三", "birth_date": date(1990, 5, 17), "aum": 523000.0, "consent_sms": True,
       "phone": None}


def test_row_hashes_are_the_digests_stored_versions_were_hashed_with() -> None:
    # Computed by the per-row hash versions were stored with: a different digest would re-version every customer.
    hashes = logic.row_hashes(b"k" * 32, {k: [v, v] for k, v in ROW.items()}, list(ROW))
    assert hashes == ["f065d547bbc013ee70d2abc09df5ef8f"] * 2
    other = logic.row_hashes(b"k" * 32, {k: [v] for k, v in (ROW | {"consent_sms": False}).items()}, list(ROW))
    assert other != hashes[:1]


def test_pii_columns_are_encrypted_per_value_and_masked(tmp_path: Path) -> None:
    cipher = PiiCipher(tmp_path)
    values = {"phone": ["13800001234", None], "id_number": ["440301199005171234", None],
              "email": ["kh@example.com", None]}
    out = logic.customer_pii_columns(values, cipher.encrypt_many)
    assert logic.customer_columns(["customer_id", "phone", "id_number", "email"]) == [
        "customer_id", "phone_enc", "phone_masked", "phone_last4", "id_enc", "id_masked", "email_enc", "email_masked"]
    assert (out["phone_masked"], out["phone_last4"]) == (["138****1234", None], ["1234", None])
    assert (out["id_masked"], out["email_masked"]) == (["440***********1234", None], ["k***@example.com", None])
    assert [cipher.decrypt(t) for t in out["phone_enc"]] == ["13800001234", None]
    assert cipher.decrypt(out["email_enc"][0]) == "kh@example.com" and out["id_enc"][1] is None
    # Fernet tokens like `encrypt`'s (random IVs: equal values give different tokens, as before).
    again = cipher.encrypt_many(["13800001234"])[0]
    assert again != out["phone_enc"][0] and again[:4] == cipher.encrypt("x")[:4] == "gAAA"
