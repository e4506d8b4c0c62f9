"""SEC-2: field-level encryption (Fernet, keys from settings, rotation) and the resident ID validator (USR-2)."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, ValidationError

from platform_core.accounts.crypto import decrypt_text, encrypt_text, field_value_rotate
from platform_core.accounts.validators import normalise_resident_id, validate_resident_id

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_sec_2_encrypted_value_holds_no_plaintext(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    token = encrypt_text("11010519491231002X")
    assert "11010519491231002X" not in token and "1231002" not in token
    assert encrypt_text("11010519491231002X") != token  # randomised: equal values do not look equal
    assert decrypt_text(token) == "11010519491231002X"


def test_sec_2_key_rotation_old_key_still_decrypts(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    old_token = encrypt_text("secret 身份证")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]  # rotation: prepend the new key
    assert decrypt_text(old_token) == "secret 身份证"
    rotated = field_value_rotate(old_token)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # old key dropped after re-encryption
    assert decrypt_text(rotated) == "secret 身份证"
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        decrypt_text(old_token)


def test_sec_2_no_keys_is_a_configuration_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        encrypt_text("x")


@pytest.mark.parametrize("number", ["11010519491231002X", "11010519491231002x", " 440524199001010018 "])
def test_usr_2_valid_resident_ids_accepted(number):
    validate_resident_id(number)
    assert normalise_resident_id(number).endswith(number.strip()[-1].upper())


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("110105194912310021", "check digit"),  # last character wrong
        ("11010519491231002", "18 characters"),  # 17 characters
        ("1101051949123100XX", "18 characters"),  # X only as the last character
        ("110105194913310025", "date of birth"),  # month 13
        ("110105299901010011", "date of birth"),  # born in the future
    ],
)
def test_usr_2_invalid_resident_ids_refused_with_reason(number, fragment):
    with pytest.raises(ValidationError) as caught:
        validate_resident_id(number)
    assert fragment in caught.value.messages[0]
