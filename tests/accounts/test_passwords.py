from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import override_settings

from icentrex.settings import base


def test_the_real_profiles_hash_passwords_with_argon2():
    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        encoded = make_password("a-long-Unusual-passphrase-42")
        assert encoded.startswith("argon2$")
        assert identify_hasher(encoded).algorithm == "argon2"


def test_password_validators_are_on():
    names = [v["NAME"].rsplit(".", 1)[1] for v in base.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
