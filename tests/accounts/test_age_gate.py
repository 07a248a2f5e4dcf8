from datetime import date

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from accounts.forms import age_on
from accounts.models import User
from audit.models import AuditEvent
from subjects.models import SubjectLink

pytestmark = pytest.mark.django_db


def years_ago(years: int, *, plus_days: int = 0) -> date:
    today = timezone.localdate()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        born = today.replace(year=today.year - years, day=28)
    return born.fromordinal(born.toordinal() + plus_days)


def post_signup(client, born: date):
    return client.post(
        reverse("account_signup"),
        {
            "name": "Kim Young",
            "email": "kim@example.org",
            "date_of_birth": born.isoformat(),
            "password1": "a-long-Unusual-passphrase-42",
            "password2": "a-long-Unusual-passphrase-42",
        },
    )


def test_a_twelve_year_old_is_refused_and_nothing_is_stored(client, mailoutbox):
    # Turns 13 tomorrow: still 12 today.
    response = post_signup(client, years_ago(13, plus_days=1))

    assert response.status_code == 200
    html = response.content.decode()
    assert "We can&#x27;t create your account" in html or "We can't create your account" in html
    assert "not meant for children under 13" in html
    # Nothing the person typed is echoed back or kept.
    assert "kim@example.org" not in html and "Kim Young" not in html
    assert 'name="password1"' not in html
    assert User.objects.count() == 0
    assert EmailAddress.objects.count() == 0
    assert SubjectLink.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert mailoutbox == []
    assert "kim@example.org" not in str(dict(client.session))


def test_a_thirteen_year_old_is_admitted_and_only_the_check_is_kept(client):
    before = timezone.now()
    response = post_signup(client, years_ago(13))

    assert response.status_code == 302
    user = User.objects.get()
    assert user.age_check_passed_at >= before
    field_names = {f.name for f in User._meta.get_fields()}
    assert not {"date_of_birth", "birth_date", "dob"} & field_names


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (date(2010, 6, 15), date(2023, 6, 14), 12),
        (date(2010, 6, 15), date(2023, 6, 15), 13),
        (date(2012, 2, 29), date(2025, 2, 28), 12),
        (date(2012, 2, 29), date(2025, 3, 1), 13),
    ],
)
def test_age_counts_whole_birthdays(born, today, age):
    assert age_on(born, today) == age
