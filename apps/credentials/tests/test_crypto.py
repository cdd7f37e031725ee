"""The credential cipher: no Django, no database."""

import base64
import re
import uuid

import pytest

from apps.credentials.crypto import (
    CREDENTIAL_KEYS_ENV,
    InvalidCiphertext,
    KeyRing,
    KeyRingError,
)

KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))


def b64(material: bytes) -> str:
    return base64.urlsafe_b64encode(material).decode().rstrip("=")


def row_aad(row: uuid.UUID | None = None, workspace: int = 1) -> str:
    return f"credential:{row or uuid.uuid4()}:{workspace}"


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing.parse(f"a:{b64(KEY_A)}")


def test_round_trip(ring: KeyRing) -> None:
    aad = row_aad()
    blob = ring.seal(b'{"api_key": "s3cr3t"}', aad=aad)
    assert b"s3cr3t" not in blob
    assert ring.open(blob, aad=aad) == b'{"api_key": "s3cr3t"}'
    assert ring.open(blob, aad=aad.encode()) == b'{"api_key": "s3cr3t"}'  # str and bytes agree


def test_same_plaintext_gives_different_blobs(ring: KeyRing) -> None:
    assert ring.seal(b"x", aad=b"r") != ring.seal(b"x", aad=b"r")


def test_blob_is_self_describing(ring: KeyRing) -> None:
    blob = ring.seal(b"", aad=b"r")
    assert blob[0] == 1 and blob[1] == 1 and blob[2:3] == b"a"
    assert len(blob) == 3 + 12 + 16  # header + nonce + tag for an empty plaintext
    assert ring.key_id_of(blob) == "a"
    assert ring.open(blob, aad=b"r") == b""


@pytest.mark.parametrize("index", [0, 1, 2, 5, 20, -1])
def test_any_tampered_byte_is_refused(ring: KeyRing, index: int) -> None:
    blob = bytearray(ring.seal(b"secret value", aad=b"row"))
    blob[index] ^= 0x01
    with pytest.raises(InvalidCiphertext) as excinfo:
        ring.open(bytes(blob), aad=b"row")
    assert "secret" not in str(excinfo.value)


def test_truncated_and_garbage_blobs_are_refused(ring: KeyRing) -> None:
    blob = ring.seal(b"secret", aad=b"row")
    for bad in (b"", b"\x01", blob[:20], b"\x02" + blob[1:], b"\x01\x00" + blob[2:]):
        with pytest.raises(InvalidCiphertext):
            ring.open(bad, aad=b"row")
    with pytest.raises(InvalidCiphertext):
        ring.open("not bytes", aad=b"row")  # type: ignore[arg-type]


def test_moving_a_blob_to_another_row_fails(ring: KeyRing) -> None:
    row = uuid.uuid4()
    blob = ring.seal(b"token", aad=row_aad(row, workspace=1))
    with pytest.raises(InvalidCiphertext, match="another row"):
        ring.open(blob, aad=row_aad(uuid.uuid4(), workspace=1))  # another credential
    with pytest.raises(InvalidCiphertext):
        ring.open(blob, aad=row_aad(row, workspace=2))  # same id, another workspace
    with pytest.raises(InvalidCiphertext):
        ring.open(blob, aad=b"")


def test_swapping_the_key_id_in_the_header_fails() -> None:
    ring = KeyRing.parse(f"a:{b64(KEY_A)},b:{b64(KEY_B)}")
    blob = bytearray(ring.seal(b"x", aad=b"r"))
    blob[2:3] = b"b"  # claim the other (known) key
    with pytest.raises(InvalidCiphertext):
        ring.open(bytes(blob), aad=b"r")


def test_rotation() -> None:
    old = KeyRing.parse(f"a:{b64(KEY_A)}")
    aad = row_aad()
    blob = old.seal(b"password", aad=aad)

    new = KeyRing.parse(f"b:{b64(KEY_B)}, a:{b64(KEY_A)}")  # b is newest, a still decrypts
    assert new.primary_key_id == "b" and new.key_ids == ("b", "a")
    assert new.open(blob, aad=aad) == b"password"
    assert new.needs_rotation(blob)

    rotated = new.rotate(blob, aad=aad)
    assert new.key_id_of(rotated) == "b"
    assert not new.needs_rotation(rotated)
    assert new.open(rotated, aad=aad) == b"password"

    # Once a is retired, the rotated blob still opens and the old one does not.
    retired = KeyRing.parse(f"b:{b64(KEY_B)}")
    assert retired.open(rotated, aad=aad) == b"password"
    with pytest.raises(InvalidCiphertext, match="unknown key id 'a'"):
        retired.open(blob, aad=aad)


def test_rotate_refuses_wrong_aad() -> None:
    ring = KeyRing.parse(f"b:{b64(KEY_B)},a:{b64(KEY_A)}")
    blob = KeyRing.parse(f"a:{b64(KEY_A)}").seal(b"x", aad=b"row-1")
    with pytest.raises(InvalidCiphertext):
        ring.rotate(blob, aad=b"row-2")


def test_unknown_key_id() -> None:
    blob = KeyRing.parse(f"a:{b64(KEY_A)}").seal(b"x", aad=b"r")
    other = KeyRing.parse(f"z:{b64(KEY_B)}")
    assert other.key_id_of(blob) == "a"
    with pytest.raises(InvalidCiphertext, match="unknown key id"):
        other.open(blob, aad=b"r")


def test_generate_spec_round_trips() -> None:
    spec = KeyRing.generate_spec("local")
    ring = KeyRing.parse(spec)
    assert ring.primary_key_id == "local"
    assert ring.open(ring.seal(b"v", aad=b"r"), aad=b"r") == b"v"
    assert KeyRing.generate_spec() != KeyRing.generate_spec()
    with pytest.raises(KeyRingError):
        KeyRing.generate_spec("bad id")


def test_parse_accepts_padding_and_whitespace() -> None:
    padded = base64.urlsafe_b64encode(KEY_A).decode()
    assert padded.endswith("=")
    ring = KeyRing.parse(f"  a : {padded} ,\n b:{b64(KEY_B)}  ")
    assert ring.key_ids == ("a", "b")


def test_from_env() -> None:
    ring = KeyRing.from_env({CREDENTIAL_KEYS_ENV: f"a:{b64(KEY_A)}"})
    assert ring.primary_key_id == "a"
    with pytest.raises(KeyRingError, match="CREDENTIAL_KEYS is not set"):
        KeyRing.from_env({})


SHORT = b64(KEY_A[:16])
LONG = b64(KEY_A + b"\x00")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (f"a:{b64(KEY_A)},", "entry #2 of the key ring is empty"),
        (b64(KEY_A), "not 'kid:base64url-key'"),
        (f":{b64(KEY_A)}", "not 'kid:base64url-key'"),
        ("a:", "not 'kid:base64url-key'"),
        (f"a b:{b64(KEY_A)}", "key ids must be"),
        (f"a:{SHORT}", "must decode to 32 bytes (AES-256), got 16"),
        (f"a:{LONG}", "got 33"),
        (f"a:{b64(KEY_A)}!!", "not valid base64url"),
        (f"a:{b64(KEY_A).replace('_', '/')}+", "not valid base64url"),
        (f"a:{b64(KEY_A)},a:{b64(KEY_B)}", "key id 'a' appears more than once"),
        (f"a:{b64(KEY_A)},b:{b64(KEY_A)}", "same material as key 'a'"),
    ],
)
def test_parse_errors_are_clear_and_never_echo_keys(spec: str, message: str) -> None:
    with pytest.raises(KeyRingError, match=re.escape(message)) as excinfo:
        KeyRing.parse(spec)
    text = str(excinfo.value)
    for material in (KEY_A, KEY_B, KEY_A[:16]):
        for form in (b64(material), base64.urlsafe_b64encode(material).decode(), material.hex()):
            assert form not in text
            assert form[:12] not in text


def test_constructor_validates_raw_keys() -> None:
    with pytest.raises(KeyRingError, match="empty"):
        KeyRing([])
    with pytest.raises(KeyRingError, match="got 31"):
        KeyRing([("a", KEY_A[:31])])


def test_repr_shows_ids_only() -> None:
    ring = KeyRing.parse(f"a:{b64(KEY_A)}")
    assert repr(ring) == "KeyRing(key_ids=['a'])"
    assert b64(KEY_A) not in repr(ring.__dict__)
