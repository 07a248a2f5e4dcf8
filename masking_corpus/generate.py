"""A labelled corpus of support messages for measuring the masking engine (issue 8).

``generate()`` builds, deterministically and with the standard library only, a few hundred support
messages in English and Swedish as people really write them: complaints, billing and login trouble,
data requests, bug reports with logs, forwarded emails, signatures, lists. Every message comes with the
reporter's profile, the other members of the reporter's organisation, and character spans for each
identifying piece of text the engine should find:

* ``email``, ``phone``, ``ip``, ``card`` (passes Luhn), ``iban`` (passes ISO 13616 mod-97),
  ``personnummer`` (valid date and Luhn check digit), ``url`` (the whole URL, and only when its query
  carries a token or an id);
* ``name``: the name of another member of the organisation (for a possessive, only the name part);
* ``reporter``: any of the reporter's own identifiers (name in any case or form, email, username,
  phone), whatever it looks like.

Alongside the labels each message lists its ``distractors``: text put there on purpose to tempt the
engine (numbers that fail Luhn or mod-97, invalid personnummer, harmless URLs, dates, cities, products,
words that look like names...). They are never labelled.

Messages are written from templates whose ``{fields}`` are filled in by :class:`_Message`, which knows
the offset of everything it writes, so spans are exact by construction; :func:`self_check` verifies
them again, together with the checksums and the absence of unlabelled identifiers.

Run ``python -m masking_corpus.generate`` from the project root to rewrite ``corpus.json`` and print
counts.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import random
import re
import string
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20240808
MESSAGES_PER_LANGUAGE = 200
OUTPUT = Path(__file__).with_name("corpus.json")

KINDS = ("email", "phone", "ip", "url", "card", "iban", "personnummer", "name", "reporter")


# --- Checksums ---------------------------------------------------------------------------------------


def luhn_check_digit(body: str) -> str:
    """The digit that makes ``body + digit`` pass the Luhn check (cards, personnummer, orgnr)."""
    total = 0
    for i, char in enumerate(reversed(body)):
        digit = int(char)
        if i % 2 == 0:  # the rightmost body digit sits next to the check digit, so it is doubled
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def luhn_valid(digits: str) -> bool:
    return len(digits) > 1 and digits.isdigit() and luhn_check_digit(digits[:-1]) == digits[-1]


IBAN_LENGTHS = {"SE": 24, "DE": 22, "GB": 22, "NL": 18}


def _iban_number(rearranged: str) -> int:
    return int("".join(str(int(char, 36)) for char in rearranged))


def iban_check_digits(country: str, bban: str) -> str:
    return f"{98 - _iban_number(bban + country + '00') % 97:02d}"


def iban_valid(text: str) -> bool:
    """ISO 13616: known country, right length, and mod-97 of the rearranged number equal to 1."""
    compact = text.replace(" ", "").upper()
    if len(compact) != IBAN_LENGTHS.get(compact[:2], -1) or not compact.isalnum():
        return False
    return _iban_number(compact[4:] + compact[:4]) % 97 == 1


_PNR_RE = re.compile(r"(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{4})")


def personnummer_valid(text: str) -> bool:
    """Swedish personnummer: a real birth date and a Luhn check digit over YYMMDDNNN."""
    match = _PNR_RE.fullmatch(text)
    if not match:
        return False
    century, yy, mm, dd, _sep, tail = match.groups()
    # Without a century, any century will do for the date check (29 February needs a leap year).
    years = [int(century + yy)] if century else [1900 + int(yy), 2000 + int(yy)]
    if not any(_is_date(year, int(mm), int(dd)) for year in years):
        return False
    return luhn_valid(yy + mm + dd + tail)


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


# --- Word lists --------------------------------------------------------------------------------------

# Names for reporters and members. Words that are also ordinary words (Will, May, Hans, Per, Klara...)
# are kept out on purpose: they appear in the text as distractors and must never be somebody's name.
SV_FIRST = (
    "Anna Eva Maria Karin Sara Emma Kristina Lena Elin Ida Johanna Malin Linnea Sofia Åsa Ingrid Helena "
    "Camilla Ebba Frida Annika Ulrika Petra Maja Elsa Agnes Ann-Sofie Eva-Lena Yasmin Fatima Tove Hedvig "
    "Erik Lars Karl Anders Johan Nils Mikael Peter Oskar Fredrik Magnus Mattias Jonas Daniel Henrik Björn "
    "Gustav Axel Emil Viktor Linus Olof Stefan Mats Örjan Håkan Karl-Johan Sven Leif Bengt Ahmed Amir Ulf"
).split()
SV_LAST = (
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Pettersson "
    "Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Olofsson Lindström Lindqvist "
    "Lindgren Axelsson Bergström Lundberg Lind Lundgren Lundqvist Mattsson Berglund Fredriksson Sandberg "
    "Henriksson Forsberg Sjöberg Wallin Engström Eklund Danielsson Lundin Håkansson Bergman Gunnarsson "
    "Wikström Samuelsson Isaksson Fransson Bergqvist Nyström Holmberg Arvidsson Löfgren Söderberg Nyberg "
    "Blomqvist Claesson Nordström Mårtensson Viklund Björklund Eliasson Pålsson Berggren Sandström Nordin "
    "Åberg Hermansson Ekström Holmgren Sundberg Hedlund Dahlberg Hellström Sjögren Öberg Månsson Hedberg"
).split()
EN_FIRST = (
    "Emma Olivia Sophie Charlotte Emily Hannah Lucy Chloe Jessica Amelia Rachel Laura Megan Katie Sarah "
    "Rebecca Eleanor Zoë Priya Aisha Siobhan Niamh Fiona Harriet Imogen Naomi "
    "James Oliver Thomas Daniel George Samuel Joseph Benjamin Matthew Andrew Christopher Michael David "
    "Ryan Liam Connor Owen Rhys Aidan Mohammed Raj Paul Peter Simon Adam Luke Nathan Callum Declan"
).split()
EN_LAST = (
    "Smith Jones Taylor Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker Roberts "
    "Jackson Clarke Patel Khan Lewis Harris Martin Cooper Morgan Hughes Edwards Murphy O'Brien Campbell "
    "Kelly Bennett Griffiths Mitchell Carter Shaw Fisher Palmer Ellis Hussain Nguyen Garcia Miller Davis "
    "Anderson Thomas Moore Clark Allen Okafor Fitzgerald McAllister Kowalski"
).split()

# Name-like words written into templates as ``{w:Word}``; they must not be anybody's name.
NAME_LIKE_WORDS = frozenset(
    "Will May June April August Mark Bill Grace Hope Love Frank Summer Jack Hans Per Bo Dag Klara Maj "
    "Saga Liv Jan Tom Sten".split()
)

# Cities that are also given names (Sydney, Florence, Austin, Charlotte) are kept out of the name lists.
EN_CITIES = "London Manchester Leeds Bristol Glasgow Dublin Sydney Florence Austin Berlin Amsterdam".split()
SV_CITIES = (
    "Göteborg Malmö Uppsala Västerås Örebro Linköping Umeå Luleå Kiruna Lund Sundsvall Helsingborg".split()
)
PRODUCTS = (
    "Chrome",
    "Firefox",
    "Safari",
    "Edge",
    "Outlook",
    "Teams",
    "Excel",
    "iPhone",
    "Android",
    "Windows 11",
    "macOS",
    "BankID",
    "Slack",
    "Zoom",
)
_NAME_POOL = set(SV_FIRST + SV_LAST + EN_FIRST + EN_LAST)
assert not (NAME_LIKE_WORDS | set(EN_CITIES) | set(SV_CITIES)) & _NAME_POOL, (
    "a distractor word is also a name"
)

EN_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
SV_WEEKDAYS = "måndag tisdag onsdag torsdag fredag lördag söndag".split()
EN_MONTHS = "January February March April May June July August September October November December".split()
SV_MONTHS = "januari februari mars april maj juni juli augusti september oktober november december".split()

EN_COMPANIES = (
    "Brightwater Ltd",
    "Harbourside Dental",
    "Northfield Academy Trust",
    "Oakridge Consulting",
    "Riverside Tennis Club",
    "Blue Fjord Analytics",
    "Copperleaf Studio",
    "Kestrel Housing Association",
)
SV_COMPANIES = (
    "Nordbygg AB",
    "Solviks Förvaltning AB",
    "Kustfisk ek. för.",
    "Förskolan Fjällgläntan",
    "Brf Tallbacken",
    "Sjöviks IF",
    "Östra Hamnens Tandvård",
    "Vindtorp Redovisning AB",
)
EN_GROUPS = ("Board", "Finance", "Volunteers", "Coaches", "Parents", "Admin team")
SV_GROUPS = ("Styrelsen", "Ekonomi", "Volontärer", "Tränare", "Föräldrar", "Valberedningen")
EN_TITLES = ("Office Manager", "Head of Finance", "IT Coordinator", "HR Assistant", "Treasurer", "Chair")
SV_TITLES = ("Ekonomiansvarig", "IT-ansvarig", "Kontorschef", "HR-generalist", "Kassör", "Ordförande")

# Reserved or clearly fictitious domains only (RFC 2606 and the .example/.test TLDs).
EXTERNAL_DOMAINS = (
    "example.com",
    "example.org",
    "example.net",
    "example.se",
    "example.co.uk",
    "partner.example",
    "bokforing.example",
    "ledger.example.net",
    "post.example.test",
)
EN_ROLES = (
    "invoices",
    "accounts",
    "noreply",
    "no-reply",
    "it-support",
    "helpdesk",
    "office",
    "billing",
    "dpo",
)
SV_ROLES = ("faktura", "ekonomi", "kansli", "info", "styrelsen", "noreply", "it", "support", "dataskydd")


# --- Identifier values -------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """ASCII lower case for usernames and email local parts: 'Örjan O'Brien' -> 'orjan obrien'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in " -.")).lower()


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


# Fictitious telephone ranges: PTS numbers reserved for drama (Sweden), Ofcom drama numbers (UK) and
# 555-01xx (North America). Each plan: trunk-less area code, subscriber prefix, random digits, grouping.
PHONE_PLANS = {
    "se_mobile": ("46", "70", "17406", 2, (3, 2, 2)),  # 070-174 06 05 .. 99
    "se_stockholm": ("46", "8", "465004", 2, (3, 3, 2)),  # 08-465 004 00 .. 99
    "se_goteborg": ("46", "31", "39006", 2, (3, 2, 2)),  # 031-390 06 00 .. 99
    "se_malmo": ("46", "40", "62804", 2, (3, 2, 2)),  # 040-628 04 00 .. 99
    "se_kiruna": ("46", "980", "3192", 2, (2, 2, 2)),  # 0980-31 92 00 .. 99
    "uk_london": ("44", "20", "79460", 3, (4, 4)),  # 020 7946 0000 .. 0999
    "uk_manchester": ("44", "161", "4960", 3, (3, 4)),  # 0161 496 0000 .. 0999
    "uk_mobile": ("44", "7700", "900", 3, (6,)),  # 07700 900000 .. 900999
    "us": ("1", "", "55501", 2, (3, 4)),  # +1 (415) 555-0100 .. 0199
}
US_AREAS = ("415", "212", "312", "617", "206", "503")


@dataclass(frozen=True)
class Phone:
    plan: str
    area: str
    subscriber: str

    @classmethod
    def random(cls, rng: random.Random, plan: str) -> Phone:
        _cc, area, prefix, n, _groups = PHONE_PLANS[plan]
        if plan == "us":
            area = rng.choice(US_AREAS)
        low = 5 if plan == "se_mobile" else 0  # 070-174 06 00..04 are not in the PTS range
        return cls(plan, area, prefix + f"{rng.randrange(low, 10**n):0{n}d}")

    @property
    def national_digits(self) -> str:
        """Digits without country code or trunk prefix: how two spellings are compared."""
        return self.area + self.subscriber

    def formats(self) -> list[str]:
        cc, _area, _prefix, _n, sizes = PHONE_PLANS[self.plan]
        groups, rest = [], self.subscriber
        for size in sizes:
            groups.append(rest[:size])
            rest = rest[size:]
        a, sub, spaced = self.area, self.subscriber, " ".join(groups)
        if cc == "46":
            out = [
                f"0{a}-{spaced}",
                f"0{a}-{sub}",
                f"0{a}{sub}",
                f"0{a} {spaced}",
                f"+46 {a} {spaced}",
                f"+46{a}{sub}",
                f"+46 (0){a}-{spaced}",
                f"0046 {a} {spaced}",
                f"+46 {a}-{sub}",
            ]
            out.append(f"0{a}.{'.'.join(groups)}" if self.plan == "se_mobile" else f"(0{a}) {spaced}")
        elif cc == "44":
            out = [
                f"0{a} {spaced}",
                f"+44 {a} {spaced}",
                f"+44 (0){a} {spaced}",
                f"0{a}{sub}",
                f"+44{a}{sub}",
                f"0{a}-{'-'.join(groups)}",
            ]
            if self.plan == "uk_mobile":
                out.append(f"+44 {a} {sub[:3]} {sub[3:]}")
        else:
            line = f"{sub[:3]}-{sub[3:]}"
            out = [
                f"+1 ({a}) {line}",
                f"({a}) {line}",
                f"{a}-{line}",
                f"{a}.{sub[:3]}.{sub[3:]}",
                f"+1 {a} {sub[:3]} {sub[3:]}",
                f"1-{a}-{line}",
                f"+1-{a}-{line}",
            ]
        # A bare run of ten or twelve digits could pass as a personnummer; never write a phone like that.
        return [f for f in out if not (f.isdigit() and personnummer_valid(f))]


def phone_national_digits(text: str) -> str:
    """Normalise a written phone number to its national digits (no country code, no trunk 0)."""
    text = text.replace("(0)", "")
    digits = re.sub(r"\D", "", text)
    if text.lstrip().startswith("+") or digits.startswith("00"):
        digits = digits.lstrip("0")
        for cc in ("46", "44", "1"):
            if digits.startswith(cc):
                return digits[len(cc) :]
        return digits
    if digits.startswith("1") and len(digits) == 11:  # 1-415-555-0134
        return digits[1:]
    return digits[1:] if digits.startswith("0") else digits


def split_at_space(text: str, rng: random.Random) -> str:
    """Replace one inner space or dash with a line break, as a hard-wrapping mail client would."""
    candidates = [i for i, c in enumerate(text) if c in " -" and 3 <= i <= len(text) - 3]
    i = rng.choice(candidates)
    return text[: i + (text[i] == "-")] + "\n" + text[i + 1 :]


def _card_number(rng: random.Random, length: int) -> str:
    if length == 15:
        prefix = rng.choice(("34", "37"))
    else:
        prefix = rng.choice(("4", "4", "4", "51", "52", "53", "54", "55", "2221", "2720"))
    body = prefix + _digits(rng, length - 1 - len(prefix))
    return body + luhn_check_digit(body)


def format_card(number: str, rng: random.Random, style: str | None = None) -> str:
    style = style or rng.choice(("space", "space", "dash", "compact"))
    if style == "compact":
        return number
    sep = " " if style == "space" else "-"
    if len(number) == 15:
        return sep.join((number[:4], number[4:10], number[10:]))
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


def _card_like_number(rng: random.Random) -> str:
    """An order or transaction reference that looks like a card number but fails Luhn."""
    length = rng.choice((16, 16, 16, 15, 19))
    number = _card_number(rng, length) if length != 19 else _digits(rng, 19)
    while luhn_valid(number):
        number = number[:-1] + str((int(number[-1]) + rng.randint(1, 9)) % 10)
    return number


def _iban(rng: random.Random, country: str) -> str:
    if country == "SE":
        bban = rng.choice(("500", "600", "800", "300", "120", "920")) + _digits(rng, 17)
    elif country == "DE":
        bban = _digits(rng, 18)
    elif country == "GB":
        bban = rng.choice(("NWBK", "BARC", "LOYD", "MIDL", "HBUK")) + _digits(rng, 14)
    else:
        bban = rng.choice(("ABNA", "INGB", "RABO", "TRIO")) + _digits(rng, 10)
    return country + iban_check_digits(country, bban) + bban


def _broken_iban(rng: random.Random, iban: str) -> str:
    """The same IBAN with a typo: a changed digit or two swapped neighbours, which mod-97 catches."""
    while True:
        chars = list(iban)
        i = rng.randrange(4, len(chars) - 1)
        if rng.random() < 0.5 and chars[i] != chars[i + 1]:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif chars[i].isdigit():
            chars[i] = str((int(chars[i]) + rng.randint(1, 9)) % 10)
        broken = "".join(chars)
        if not iban_valid(broken):
            return broken


def format_iban(iban: str, rng: random.Random, spaced: bool | None = None) -> str:
    spaced = rng.random() < 0.7 if spaced is None else spaced
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) if spaced else iban


@dataclass(frozen=True)
class Personnummer:
    birth: dt.date
    serial: str  # three digits

    @classmethod
    def random(cls, rng: random.Random, centenarian: bool = False) -> Personnummer:
        start = dt.date(1915, 1, 1) if centenarian else dt.date(1938, 1, 1)
        end = dt.date(1924, 12, 31) if centenarian else dt.date(2006, 12, 31)
        birth = start + dt.timedelta(days=rng.randrange((end - start).days))
        return cls(birth, f"{rng.randrange(1, 1000):03d}")

    @property
    def check(self) -> str:
        return luhn_check_digit(self.birth.strftime("%y%m%d") + self.serial)

    def format(self, style: str, check: str | None = None) -> str:
        tail = self.serial + (check or self.check)
        short, long = self.birth.strftime("%y%m%d"), self.birth.strftime("%Y%m%d")
        return {
            "short": f"{short}-{tail}",
            "long": f"{long}-{tail}",
            "compact": f"{short}{tail}",
            "compact12": f"{long}{tail}",
            "plus": f"{short}+{tail}",
        }[style]

    def invalid(self, rng: random.Random, style: str) -> str:
        wrong = str((int(self.check) + rng.randint(1, 9)) % 10)
        return self.format(style, check=wrong)


def _ipv4(rng: random.Random) -> str:
    net = rng.choice(("192.0.2", "198.51.100", "203.0.113", "203.0.113", "198.51.100", "private"))
    if net == "private":
        net = rng.choice(("10.0", "10.12", f"172.{rng.randint(16, 31)}", "192.168"))
        net += f".{rng.randint(0, 254)}"
    return f"{net}.{rng.randint(1, 254)}"


def _ipv6(rng: random.Random, style: str) -> str:
    """A documentation-prefix (2001:db8::/32) or link-local address, exploded or compressed."""
    if style == "mapped":
        return f"::ffff:{_ipv4(rng)}"
    groups = [0x2001, 0xDB8] if rng.random() < 0.85 else [0xFE80, 0, 0, 0]
    while len(groups) < 8:
        groups.append(0 if rng.random() < 0.35 else rng.randrange(1, 0x10000))
    address = ipaddress.IPv6Address(":".join(f"{g:x}" for g in groups))
    text = address.exploded if style == "full" else address.compressed
    return text.upper() if rng.random() < 0.1 else text


TOKEN_PARAMS = (
    "token",
    "reset_token",
    "session_id",
    "sid",
    "uid",
    "user_id",
    "access_token",
    "member_id",
    "invite",
    "key",
    "code",
    "id",
)
HARMLESS_PARAMS = {
    "lang": ("sv", "en"),
    "page": ("2", "3"),
    "q": ("invoice+pdf", "export", "2fa"),
    "utm_source": ("newsletter",),
    "utm_medium": ("email",),
    "view": ("list", "month"),
}
URL_HOSTS = (
    "app.icentrex.example",
    "privacy.icentrex.example",
    "portal.example.com",
    "www.example.org",
    "files.example.net",
    "login.example.se",
    "mitt.nordbygg.example",
    "intranet.brightwater.example",
)
TOKEN_PATHS = (
    "/reset-password",
    "/login/verify",
    "/account",
    "/profile",
    "/invoices/download",
    "/share",
    "/unsubscribe",
    "/api/v2/export",
    "/invite/accept",
    "/members/view",
)
HARMLESS_PATHS = ("/help/two-factor", "/pricing", "/docs/api", "/status", "/help/export", "/search", "/", "")


def _token_value(rng: random.Random, param: str) -> str:
    if param in ("uid", "user_id", "member_id", "id"):
        return str(rng.choice((rng.randint(7, 999), rng.randint(1000, 999999))))
    if param in ("code", "invite"):
        return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(8))
    alphabet = string.ascii_letters + string.digits + "-_"
    if rng.random() < 0.5:
        return _hex(rng, rng.choice((24, 32, 40)))
    return "".join(rng.choice(alphabet) for _ in range(rng.choice((22, 32, 43))))


def _token_url(rng: random.Random) -> str:
    params = []
    if rng.random() < 0.3:
        name = rng.choice(list(HARMLESS_PARAMS))
        params.append(f"{name}={rng.choice(HARMLESS_PARAMS[name])}")
    for name in rng.sample(TOKEN_PARAMS, rng.choice((1, 1, 1, 2))):
        params.append(f"{name}={_token_value(rng, name)}")
    if rng.random() < 0.2:
        params.append("next=%2Fdashboard")
    scheme = "http" if rng.random() < 0.1 else "https"
    return f"{scheme}://{rng.choice(URL_HOSTS)}{rng.choice(TOKEN_PATHS)}?{'&'.join(params)}"


def _harmless_url(rng: random.Random) -> str:
    host, path = rng.choice(URL_HOSTS), rng.choice(HARMLESS_PATHS)
    query = ""
    if path and rng.random() < 0.35:
        name = rng.choice(list(HARMLESS_PARAMS))
        query = f"?{name}={rng.choice(HARMLESS_PARAMS[name])}"
    if rng.random() < 0.15:
        return f"www.example.com/support{query}"
    return f"https://{host}{path}{query}"


def url_has_token(url: str) -> bool:
    query = url.partition("?")[2]
    names = {pair.partition("=")[0] for pair in query.split("&") if pair}
    return bool(names & set(TOKEN_PARAMS))


# --- People ------------------------------------------------------------------------------------------


@dataclass
class Person:
    first: str
    last: str
    email: str
    username: str
    phone: Phone
    phone_profile: str  # how the phone is written in the profile; messages use other spellings

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"

    def profile(self) -> dict:
        return {
            "name": self.full,
            "email": self.email,
            "username": self.username,
            "phone": self.phone_profile,
        }


def _username(rng: random.Random, first: str, last: str) -> str:
    given = _fold(first).replace(" ", "").replace("-", rng.choice(("", "-")))
    family = _fold(last).replace(" ", "")
    return rng.choice(
        (
            f"{given}.{family}",
            f"{given[0]}{family}{rng.randint(1, 99)}",
            f"{given}_{family}",
            f"{given}{family}",
            f"{family}{given[0]}",
            f"{given}.{family[0]}",
            f"{given}{rng.randint(70, 99)}",
        )
    )


def _company_domain(company: str) -> str:
    words = [
        w for w in _fold(company).replace(".", "").split() if w not in ("ab", "ltd", "brf", "if", "ek", "for")
    ]
    return f"{words[0]}.example"


# --- Message building --------------------------------------------------------------------------------

_FORMATTER = string.Formatter()


@dataclass
class _Org:
    lang: str
    company: str
    domain: str
    reporter: Person
    members: list[Person]


@dataclass
class _Message:
    """Writes a message piece by piece and records every labelled span and distractor as it goes."""

    rng: random.Random
    org: _Org
    parts: list[str] = field(default_factory=list)
    spans: list[dict] = field(default_factory=list)
    distractors: list[dict] = field(default_factory=list)
    cache: dict = field(default_factory=dict)
    used_phones: set = field(default_factory=set)
    clock: dt.datetime | None = None
    length: int = 0

    @property
    def lang(self) -> str:
        return self.org.lang

    @property
    def text(self) -> str:
        return "".join(self.parts)

    # Writing

    def emit(self, text: str, kind: str | None = None, sort: str | None = None) -> None:
        if kind:
            self.spans.append(
                {"start": self.length, "end": self.length + len(text), "kind": kind, "text": text}
            )
        elif sort:
            self.distractors.append(
                {"start": self.length, "end": self.length + len(text), "sort": sort, "text": text}
            )
        self.parts.append(text)
        self.length += len(text)

    def render(self, template: str) -> None:
        for literal, name, spec, _conversion in _FORMATTER.parse(template):
            if literal:
                self.emit(literal)
            if name is None:
                continue
            if name == "w":  # a name-like word written into the template, e.g. "{w:Will} you..."
                assert spec in NAME_LIKE_WORDS, spec
                self.emit(spec, sort="name-like word")
            else:
                self.field(name)

    # Fields

    def field(self, name: str) -> None:
        base, _, key = name.partition("@")
        who, dot, form = base.partition(".")
        if dot and who == "x":
            self.distractor(form, key)
        elif dot:
            self.person_field(who, form)
        elif base == "log":
            self.log_block()
        elif base == "company":
            self.emit(self.org.company, sort="organisation or group")
        else:
            self.identifier(base, key)

    def _cached(self, key: str, make):
        if not key:
            return make()
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    def new_phone(self, plan: str | None = None) -> Phone:
        """A phone number not yet used in this message (so one number never gets two labels)."""
        if plan is None:
            plan = self.rng.choice(
                (
                    "se_mobile",
                    "se_mobile",
                    "se_stockholm",
                    "se_goteborg",
                    "se_malmo",
                    "se_kiruna",
                    "uk_mobile",
                )
                if self.lang == "sv"
                else ("uk_london", "uk_manchester", "uk_mobile", "uk_mobile", "us", "us", "se_mobile")
            )
        while True:
            phone = Phone.random(self.rng, plan)
            if phone.national_digits not in self.used_phones:
                self.used_phones.add(phone.national_digits)
                return phone

    def identifier(self, base: str, key: str) -> None:
        rng = self.rng
        if base.startswith("email"):
            self.emit(self.random_email(base.partition("_")[2]), "email")
        elif base.startswith("phone"):
            plan = {"phone_se": "se_mobile", "phone_uk": "uk_london", "phone_us": "us"}.get(base)
            phone = self._cached(key, lambda: self.new_phone(plan))
            text = rng.choice(phone.formats())
            if base == "phone_split":
                text = split_at_space(rng.choice([f for f in phone.formats() if " " in f]), rng)
            self.emit(text, "phone")
        elif base == "ip4":
            self.emit(self._cached(key, lambda: _ipv4(rng)), "ip")
        elif base.startswith("ip6"):
            style = base[4:] or rng.choice(("full", "compressed", "compressed", "compressed", "mapped"))
            self.emit(self._cached(key, lambda: _ipv6(rng, style)), "ip")
        elif base == "url":
            self.emit(_token_url(rng), "url")
        elif base.startswith("card"):
            length = {"card15": 15, "card16": 16}.get(base) or rng.choice((16, 16, 16, 15))
            number = self._cached(key, lambda: _card_number(rng, length))
            self.emit(format_card(number, rng, "compact" if base == "card_compact" else None), "card")
        elif base.startswith("iban"):
            suffix = base[5:]
            country = suffix.upper() if suffix in ("se", "de", "gb", "nl") else None
            if country is None:
                weights = (
                    ("SE", "SE", "SE", "DE", "GB", "NL")
                    if self.lang == "sv"
                    else ("GB", "GB", "DE", "NL", "NL", "SE")
                )
                country = rng.choice(weights)
            iban = self._cached(key, lambda: _iban(rng, country))
            self.emit(format_iban(iban, rng, False if suffix == "compact" else None), "iban")
        elif base.startswith("pnr"):
            style = base[4:] or rng.choice(
                ("short", "short", "short", "long", "long", "compact", "compact12")
            )
            pnr = self._cached(key, lambda: Personnummer.random(rng, centenarian=style == "plus"))
            self.emit(pnr.format(style), "personnummer")
        else:
            raise KeyError(f"unknown field {base!r}")

    def random_email(self, variant: str = "") -> str:
        rng = self.rng
        variant = variant or rng.choice(("role", "person", "person", "plus", "plus", "sub", "upper"))
        domain = rng.choice(EXTERNAL_DOMAINS + (self.org.domain, self.org.domain))
        if variant == "role" or (variant != "person" and rng.random() < 0.2):
            local = rng.choice(SV_ROLES if self.lang == "sv" else EN_ROLES)
        else:
            first, last = self.outsider()
            local = rng.choice((f"{first}.{last}", f"{first[0]}.{last}", f"{first}{last[0]}", first))
            local = _fold(local).replace(" ", "")
        if variant == "plus":
            local += "+" + rng.choice(("billing", "icentrex", "work", "2024", "lists", "spam"))
        if variant == "sub":
            domain = rng.choice(("mail", "it", "eu", "stockholm", "ops", "lists")) + "." + domain
        address = f"{local}@{domain}"
        if variant == "upper":
            address = rng.choice(
                (address.upper(), address.title(), local.capitalize() + "@" + domain.upper())
            )
        return address

    def outsider(self) -> tuple[str, str]:
        """A first and last name belonging to nobody in the organisation."""
        taken = self.taken_names()
        while True:
            sv = self.rng.random() < (0.8 if self.lang == "sv" else 0.2)
            first = self.rng.choice(SV_FIRST if sv else EN_FIRST)
            last = self.rng.choice(SV_LAST if sv else EN_LAST)
            if first.casefold() not in taken and last.casefold() not in taken:
                return first, last

    def taken_names(self) -> set[str]:
        people = [self.org.reporter, *self.org.members]
        return {p.first.casefold() for p in people} | {p.last.casefold() for p in people}

    def person_field(self, who: str, form: str) -> None:
        rng = self.rng
        if who == "r":
            person, kind = self.org.reporter, "reporter"
        else:
            person, kind = self.org.members[int(who[1:]) - 1], "name"
        contact_kind = "reporter" if who == "r" else None
        if form in ("full", "first", "last"):
            self.emit(getattr(person, form), kind)
        elif form == "lower":
            self.emit(person.full.lower(), kind)
        elif form == "first_lower":
            self.emit(person.first.lower(), kind)
        elif form in ("poss", "full_poss", "last_poss"):
            name = {"poss": person.first, "full_poss": person.full, "last_poss": person.last}[form]
            self.emit(name, kind)
            self.emit(self.possessive_suffix(name))
        elif form == "split":
            self.emit(f"{person.first}\n{person.last}", kind)
        elif form == "email":
            self.emit(person.email, contact_kind or "email")
        elif form == "email_case":
            local, _, domain = person.email.partition("@")
            variants = (
                person.email.upper(),
                ".".join(p.capitalize() for p in local.split(".")) + "@" + domain,
                local + "@" + domain.capitalize(),
                ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.upper(),
            )
            self.emit(rng.choice(variants), contact_kind or "email")
        elif form == "email_plus":
            local, _, domain = person.email.partition("@")
            tag = rng.choice(("work", "icentrex", "jobb", "2", "priv"))
            self.emit(f"{local}+{tag}@{domain}", contact_kind or "email")
        elif form == "user":
            assert who == "r", "only the reporter's username is an identifier we label"
            self.emit(person.username, kind)
        elif form in ("phone", "phone_split"):
            spellings = [
                f for f in person.phone.formats() if f != person.phone_profile
            ] or person.phone.formats()
            text = rng.choice(spellings)
            if form == "phone_split":
                text = split_at_space(rng.choice([f for f in spellings if " " in f]), rng)
            self.emit(text, contact_kind or "phone")
        else:
            raise KeyError(f"unknown person field {form!r}")

    def possessive_suffix(self, name: str) -> str:
        """English "'s" (or "’s", or a bare apostrophe after s); Swedish genitive "s" (nothing after s)."""
        rng = self.rng
        if self.lang == "sv":
            if name[-1] in "sxz":
                return rng.choice(("", "'"))
            return "s"
        if name[-1] == "s":
            return rng.choice(("'", "'s"))
        return "’s" if rng.random() < 0.15 else "'s"

    def distractor(self, form: str, key: str) -> None:
        rng, sv = self.rng, self.lang == "sv"
        if form == "url":
            self.emit(_harmless_url(rng), sort="harmless URL")
        elif form == "cardlike":
            self.emit(format_card(_card_like_number(rng), rng), sort="card-like number failing Luhn")
        elif form == "masked":
            last4 = _digits(rng, 4)
            masked = rng.choice(
                (
                    f"**** **** **** {last4}",
                    f"XXXX-XXXX-XXXX-{last4}",
                    f"•••• {last4}",
                    f"************{last4}",
                )
            )
            self.emit(masked, sort="masked card")
        elif form in ("order", "invoice", "ocr", "errcode"):
            text = {
                "order": lambda: rng.choice(("#", "", "A-", "")) + _digits(rng, rng.choice((5, 6, 8))),
                "invoice": lambda: rng.choice(("INV-", "F", "2024-", "")) + _digits(rng, rng.choice((5, 7))),
                "ocr": lambda: _digits(rng, rng.choice((7, 8, 9))),
                "errcode": lambda: rng.choice(("E", "ERR-", "0x")) + _digits(rng, 4),
            }[form]()
            self.emit(text, sort="order, invoice or reference number")
        elif form == "iban":
            country = rng.choice(("SE", "SE", "DE", "GB", "NL") if sv else ("GB", "DE", "NL", "SE"))
            self.emit(format_iban(_broken_iban(rng, _iban(rng, country)), rng), sort="IBAN failing mod-97")
        elif form == "bankgiro":
            self.emit(f"{_digits(rng, 4)}-{_digits(rng, 4)}", sort="bankgiro, BIC or orgnr")
        elif form == "bic":
            bic = rng.choice(
                ("ESSESESS", "HANDSESS", "SWEDSESS", "NDEASESS", "NWBKGB2L", "DEUTDEFF", "ABNANL2A")
            )
            self.emit(bic, sort="bankgiro, BIC or orgnr")
        elif form == "orgnr":
            body = "55" + str(rng.randint(6, 9)) + _digits(rng, 6)  # month 6x..9x: never a birth date
            number = body + luhn_check_digit(body)
            self.emit(f"{number[:6]}-{number[6:]}", sort="bankgiro, BIC or orgnr")
        elif form == "pnr":
            pnr = self._cached(key, lambda: Personnummer.random(rng))
            style = rng.choice(("short", "short", "long", "compact"))
            self.emit(pnr.invalid(rng, style), sort="personnummer failing Luhn")
        elif form == "birthdate":
            cached = self.cache.get(key)
            birth = cached.birth if isinstance(cached, Personnummer) else Personnummer.random(rng).birth
            text = birth.strftime(rng.choice(("%Y-%m-%d", "%Y%m%d", "%y%m%d", "%d/%m/%Y")))
            self.emit(text, sort="date")
        elif form == "date":
            day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(600))
            if sv:
                text = rng.choice(
                    (day.isoformat(), f"{day.day}/{day.month}", f"den {day.day} {SV_MONTHS[day.month - 1]}")
                )
            else:
                text = rng.choice(
                    (day.isoformat(), f"{day.day} {EN_MONTHS[day.month - 1]}", day.strftime("%d/%m/%Y"))
                )
            self.emit(text, sort="date")
        elif form == "date_long":
            self.emit(self.long_date(), sort="date")
        elif form in ("ts", "clf"):
            self.clock = (self.clock or self.new_clock()) + dt.timedelta(seconds=rng.randint(1, 90))
            if form == "clf":
                text = self.clock.strftime("%d/%b/%Y:%H:%M:%S +0100")
            else:
                millis = f"{rng.randrange(1000):03d}"
                text = rng.choice(
                    (
                        self.clock.strftime("%Y-%m-%d %H:%M:%S"),
                        self.clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        self.clock.strftime("%Y-%m-%d %H:%M:%S,") + millis,
                    )
                )
            self.emit(text, sort="timestamp or time")
        elif form == "time":
            hour, minute = rng.randint(0, 23), rng.randrange(60)
            text = (
                rng.choice((f"{hour:02d}.{minute:02d}", f"{hour}:{minute:02d}"))
                if sv
                else f"{hour}:{minute:02d}"
            )
            self.emit(text, sort="timestamp or time")
        elif form == "version":
            self.emit(
                f"{rng.randint(1, 130)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}", sort="version number"
            )
        elif form == "city":
            self.emit(rng.choice(SV_CITIES if sv else EN_CITIES), sort="city")
        elif form == "weekday":
            self.emit(rng.choice(SV_WEEKDAYS if sv else EN_WEEKDAYS), sort="weekday or month")
        elif form == "month":
            self.emit(rng.choice(SV_MONTHS if sv else EN_MONTHS), sort="weekday or month")
        elif form == "product":
            self.emit(rng.choice(PRODUCTS), sort="product")
        elif form == "group":
            self.emit(rng.choice(SV_GROUPS if sv else EN_GROUPS), sort="organisation or group")
        elif form == "title":
            self.emit(rng.choice(SV_TITLES if sv else EN_TITLES), sort="job title")
        elif form == "person":
            first, last = self._cached(key, self.outsider)
            self.emit(first, sort="name of someone outside the organisation")
        elif form == "amount":
            amount = rng.choice((149, 249, 499, 1249, 2990))
            text = (
                f"{amount:,}".replace(",", " ") + " kr" if sv else rng.choice((f"£{amount}.00", f"€{amount}"))
            )
            self.emit(text)
        elif form in ("small", "ms", "port", "reqid"):
            text = {
                "small": lambda: str(rng.randint(1, 5)),
                "ms": lambda: str(rng.randint(12, 30000)),
                "port": lambda: str(rng.randint(1024, 65535)),
                "reqid": lambda: _hex(rng, 12),
            }[form]()
            self.emit(text)
        else:
            raise KeyError(f"unknown distractor {form!r}")

    def new_clock(self) -> dt.datetime:
        start = dt.datetime(2024, 1, 8, 6, 0)
        return start + dt.timedelta(days=self.rng.randrange(600), minutes=self.rng.randrange(12 * 60))

    def long_date(self) -> str:
        """A mail client's date line: Gmail or Outlook style, in the message's language."""
        when = self.new_clock()
        day, year, hm = when.day, when.year, when.strftime("%H:%M")
        if self.lang == "sv":
            weekday, month = SV_WEEKDAYS[when.weekday()], SV_MONTHS[when.month - 1]
            return self.rng.choice(
                (
                    f"den {day} {month} {year} {hm}",
                    f"{weekday} {day} {month} {year} {hm}",
                    f"{when:%Y-%m-%d} {hm}",
                )
            )
        weekday, month = EN_WEEKDAYS[when.weekday()], EN_MONTHS[when.month - 1]
        return self.rng.choice(
            (
                f"{weekday[:3]}, {day} {month[:3]} {year} at {hm}",
                f"{weekday}, {month} {day}, {year} {when:%I:%M %p}",
                f"{day} {month} {year} {hm}",
            )
        )

    def log_block(self) -> None:
        lines = self.rng.sample(LOG_LINES, self.rng.randint(3, 6))
        for i, line in enumerate(lines):
            if i:
                self.emit("\n")
            self.render(line)


# --- Templates ---------------------------------------------------------------------------------------
#
# Field syntax: {r.<form>} is the reporter, {m1.<form>}..{m4.<form>} other members; forms are full,
# first, last, lower, first_lower, poss, full_poss, split, email, email_case, email_plus, phone,
# phone_split and (reporter only) user. Generic identifiers: email[_person|_plus|_sub|_upper|_role],
# phone[_se|_uk|_us|_split], ip4, ip6[_full|_compressed|_mapped], url, card[15|16|_compact],
# iban[_se|_de|_gb|_nl|_compact], pnr[_short|_long|_compact|_compact12|_plus]. A suffix @key reuses the
# same underlying value in another spelling. {x.<sort>} writes a distractor, {w:Word} a name-like word.

LOG_LINES = (
    "{x.ts} INFO  [auth] login ok user={r.user} ip={ip4}",
    "{x.ts} WARN  [auth] failed login for {r.email} from {ip4} (attempt {x.small}/5)",
    "{x.ts} ERROR [export] upstream timed out client={ip6} req_id={x.reqid}",
    "{x.ts} DEBUG GET /api/v1/members 200 {x.ms}ms src=[{ip6_compressed}]:{x.port}",
    "{x.ts} INFO  [web] referer={url}",
    "{x.ts} INFO  X-Forwarded-For: {ip4}, {ip4}",
    '{ip4} - - [{x.clf}] "GET /api/v1/members/export HTTP/1.1" 502 173 "-" "Mozilla/5.0"',
    '{ip4} - {r.user} [{x.clf}] "POST /login HTTP/1.1" 302 0',
    "{x.ts} WARN  [mail] bounce to=<{email}> relay={ip4}:25 status=5.1.1",
    "{x.ts} INFO  [sms] 2FA code sent to {r.phone} via gateway {ip4}",
    "{x.ts} DEBUG [app] build {x.version} worker=web-{x.small}",
    '{{"ts": "{x.ts}", "level": "error", "msg": "session expired", "client_ip": "{ip6}", "user": '
    '"{r.email}"}}',
    "{x.ts} ERROR [pay] card declined for {email}, ref {x.cardlike}",
    "{x.ts} INFO  [sso] redirect to {url}",
    "{x.ts} WARN  rate limit exceeded for {ip4} ({x.ms} req/min)",
    "{x.ts} INFO  [ws] connection from {ip6_full} closed (code 1006)",
    "{x.ts} DEBUG [web] GET {x.url} 200 {x.ms}ms",
    "{x.ts} INFO  [members] {r.user} viewed profile of {m1.full}",
)

EN_GREETINGS = (
    "Hi,",
    "Hello,",
    "Hi there,",
    "Hello support team,",
    "Dear iCentrex support,",
    "Hey,",
    "Good morning,",
    "To whom it may concern,",
    "Hi {x.person},",
    "hi",
)
SV_GREETINGS = (
    "Hej,",
    "Hej!",
    "Hej support,",
    "Hejsan,",
    "God morgon,",
    "Hej hej,",
    "Till iCentrex support:",
    "Tjena,",
    "Hej {x.person}!",
    "hej",
)
EN_CLOSINGS = ("Thanks,", "Thanks in advance,", "Best regards,", "Kind regards,", "Cheers,", "Regards,", "BR")
SV_CLOSINGS = (
    "Tack på förhand!",
    "Mvh",
    "Med vänlig hälsning",
    "Vänliga hälsningar,",
    "Hälsningar",
    "Tack!",
    "MVH",
)
EN_SIGNATURES = (
    "{r.first}",
    "{r.full}",
    "{r.first_lower}",
    "{r.full}\n{x.title}, {company}\n{r.phone}",
    "{r.full} | {x.title} | {company}\nM: {r.phone} | E: {r.email}",
    "-- \n{r.full}\n{company}\n{r.email}",
    "{r.split}\n{x.title}",
    "{r.first}\n\nSent from my iPhone",
    "{r.full}\nMobile: {r.phone}",
)
SV_SIGNATURES = (
    "{r.first}",
    "{r.full}",
    "/{r.first}",
    "{r.first_lower}",
    "{r.full}\n{x.title}\n{company}\nTel: {r.phone}\nE-post: {r.email}",
    "{r.full}, {x.title}\n{company} | {r.phone}",
    "{r.split}\n{x.title}, {company}",
    "{r.first}\n\nSkickat från min iPhone",
    "{r.full}\nMobil: {r.phone}",
)

EN_TOPICS = (
    # Login trouble
    "I can't log in to my account any more. My username is {r.user} and the email on the account is\n"
    "{r.email_case}. I've reset the password twice but the link just says it has expired:\n{url}\n\n"
    "I'm on {x.product} on a work laptop if that matters. You can reach me on {r.phone} most of the day.",
    "I got a new phone last week and the two-factor codes still go to our old shared office phone\n"
    "({phone}). My mobile is {r.phone}. Could you switch it over? I log in with {r.email}.\n"
    "{w:Will} I lose my saved reports if you reset the 2FA?",
    "Timeline so far:\nMonday: could not log in at all\nTuesday: {m1.first} reset my password, worked for an "
    "hour\n"
    "Wednesday: locked out again, error {x.errcode}\n\nMy username is {r.user}, if that helps. {w:Hope} you "
    "can "
    "look at it before {x.weekday}.",
    'Your system keeps blocking me as "suspicious". I travel a lot for work; today I\'m in {x.city} on '
    "hotel\n"
    "wifi ({ip4}) and yesterday it was {ip6} at the airport. My username is {r.user}. Please allow my "
    "account\n"
    "or tell me how to stop this.",
    "SSO has been broken since the update to {x.version}. The redirect ends at {url} and then a blank page.\n"
    "It affects {m1.first}, {m2.first} and me at least.",
    "Your form won't accept my phone number. I've tried {r.phone} and {r.phone}, both say \"invalid\".\n"
    "My colleague {m1.full} had the same problem with {m1.phone}.",
    # Billing
    "We have been charged twice for the Team plan this month, {x.amount} each time. Both payments were "
    "taken\n"
    "from the company card {card}. Your receipts have the order numbers {x.order} and {x.order}, and the "
    "bank\n"
    "shows the reference {x.cardlike}. Please refund one of them.\n\n"
    "Invoices should go to {email}, not to me personally.",
    "Since we cancelled at the end of {w:April} we are owed a refund for the unused months. Please pay it "
    "to:\n\n"
    "IBAN: {iban}\nBIC: {x.bic}\nAccount holder: {company}\nOld account (closed, please remove): {x.iban}\n\n"
    "Our accountant {m1.full} ({m1.email}) will check that it arrives. If anything is unclear, call "
    "{m1.first}\n"
    "on {m1.phone}.",
    "I think I typed our IBAN wrong when I set up the direct debit. Your confirmation says {x.iban}\n"
    "but it should be {iban}. Can you change it, or do I have to cancel and start again?",
    "I cancelled on {x.date} but my card was charged again ({x.masked}). Actually I'm not sure which card, "
    "we\n"
    'have two on file: {card} and {card16}. The bank statement says "ICENTREX*PRIVACY {x.cardlike}".',
    "Our payment failed again. The error shows transaction {x.cardlike} and says the card {card} was "
    "declined,\n"
    "but the bank says there was no attempt at all. {m1.full} in our finance team already phoned them from\n"
    "{m1.phone}. Can you retry the charge?",
    "Could you send the invoices to our new address {email_role} from now on? And please put our\n"
    "reference {x.invoice} on them.\n{w:Bill} us yearly instead of monthly if that's possible; {w:Grace} "
    "period or "
    "not, we pay on the 25th.",
    "Please ignore the IBAN on our old invoices ({x.iban}); the right one is {iban_nl}. If your system\n"
    "says it's invalid, {m1.first} can confirm it on {m1.phone}. (Our German branch uses {iban_de}.)",
    "Our switchboard number has changed from {phone@old} to {phone}. Could you update it on the "
    "organisation\n"
    "profile? The footer of your emails still says {phone@old}.",
    "Please update {m1.poss} number: it's {m1.phone} now, not {phone}. And {m2.first} has a new one too:\n"
    "{m2.phone_split}. Both of them asked me to sort it out since I'm the admin.",
    "Card details for the renewal: {card16}, expiry 09/27. The number on your last invoice, {x.cardlike},\n"
    "is our customer reference and not a card, in case your team mixes them up again.",
    "Please remove the card {card_compact} from our account, {m1.full} has left and it was {m1.poss}\n"
    "company card. The new one is {card} and belongs to me.",
    "Please stop sending the weekly digest to these shared inboxes: {email_role}, {email_sub},\n"
    "{email_upper}. They should go to {m2.email} and to me ({r.email}) only.",
    "Please send the board meeting invites to {m4.email_plus}, that's how {m4.first} filters them. Mine\n"
    "can go to {r.email_plus}.",
    "Refund request for order {x.order}. Please send it to {iban_gb} (our UK account) and NOT to the card "
    "ending\n"
    "{x.masked}. If you need to confirm, email {m1.email_case} or me.",
    # The organisation and its admin
    'Our organisation admin, {m1.full}, removed me from the "{x.group}" group without a word. I have been\n'
    "with {company} for six years! Who else has admin rights? I think {m2.first} does, and maybe {m3.full},\n"
    "but {m2.poss} account looks deactivated. This is the second time since {x.weekday}.",
    "Who is the admin of our organisation? {m1.first} says it's {m2.full}, but {m2.first} left last year.\n"
    "I need someone to approve my access - my user is {r.user}. {w:Hope} you can sort it out.",
    "Could you add these people to our organisation? The invitations never arrived.\n\n"
    "- {m1.full}, {m1.email}, {m1.phone}\n- {m2.full} <{m2.email_case}>\n- {m3.full} ({m3.email}) mobile "
    "{m3.phone}\n\n{m2.first} starts on {x.weekday} so that one is urgent.",
    "{m1.full} left {company} in {w:August}, but {m1.poss} profile, phone number ({m1.phone}) and email\n"
    "({m1.email}) are still shown to everyone. Can you remove them? I'm the new admin after {m2.full}.",
    "Our new treasurer is {m1.split} (starts {x.date}). Please make {m1.first} the billing contact instead "
    "of\n"
    "{m2.full}; {m2.poss} address {m2.email} can come off the invoices.",
    "Quick question: can {m1.full} read my private notes? {m1.first} quoted one of them in a meeting on\n"
    "{x.weekday} and I never shared it. If admins can read notes, please say so in the docs ({x.url}).",
    "Here is our new board, elected at the AGM on {x.date}:\n\nChair: {m1.full}, {m1.email}\n"
    "Treasurer: {m2.full}, tel. {m2.phone}\nSecretary: {r.full} (me)\n\n"
    "Please give {m1.first} and {m2.first} admin rights and take them away from {m3.full}.",
    "Is it normal that {m1.lower} can see when I last logged in? {w:Mark} all as read doesn't hide it "
    "either.\n"
    "I asked {m2.full} about it but {m2.first} didn't know.",
    # Data protection
    "Under the GDPR I would like a copy of all personal data you hold about me. So you can find me:\n\n"
    "Name: {r.full}\nEmail: {r.email_case}\nPhone: {r.phone}\nUsername: {r.user}\n\n"
    "I would also like to know whether {m1.full} or anyone else at {company} can see my activity log.",
    "Please delete my account and everything connected to it. When I signed up, your form asked for my\n"
    "Swedish personal identity number and I entered {pnr}. I don't think you should have that at all.\n"
    "(The form rejected my first try, {x.pnr}, so that one may be stored somewhere too.)",
    "One of our members, {m1.full}, noticed that everyone can see everyone's personal identity numbers in\n"
    "the member list. For example {m2.full_poss} number ({pnr}) is shown in full. Surely only admins should\n"
    "see that? And mine is wrong anyway: it says {x.pnr} but it should be {pnr}.",
    "I help my grandmother with her membership. She is over 100 and her personnummer {pnr_plus} is\n"
    'rejected by your form ("invalid character"). The plus sign is correct for people over 100!',
    "Your form says my personnummer is invalid. I've tried both {pnr_short@me} and {pnr_long@me}. I was "
    "born\n"
    "{x.birthdate@me}, in case that's what you check. {x.birthdate} does not work either, obviously.",
    "Your member export has the wrong personal numbers: row 3 says {x.pnr} and row 7 says {x.pnr}.\n"
    "The right one for {m1.full} is {pnr_long@m1} (born {x.birthdate@m1}), the other row should be empty.",
    'The "Date of birth" field wants {x.birthdate} but then validates it as a personnummer and fails. Mine\n'
    "is {pnr_compact12}, and my old bank account {x.iban} is still on my profile too, please remove it.",
    "You sent my invoice to the wrong person! It went to {email} instead of {r.email}. It has my home "
    "address\n"
    "and the last digits of my card ({x.masked}). {m1.first} forwarded it back to me. How did this happen?",
    "We uploaded the wrong file to the document archive by mistake. It contains, among other things:\n\n"
    "name,email,phone\n{m1.full},{m1.email},{m1.phone}\n{m2.full},{m2.email},{m2.phone}\n\n"
    "Can you delete it permanently, including from backups?",
    "Why does {m1.full} still receive emails about my case? I asked for {m1.poss} access to be removed on\n"
    "{x.date}. The last one went to {m1.email_case} yesterday.",
    # Bug reports and security
    "The CSV export fails every time with a 502.\n\nSteps:\n1. Log in as {r.user}\n2. Go to Members > "
    "Export\n"
    '3. Click "Download"\n\nBrowser: {x.product} {x.version}. Our proxy logged this:\n\n{log}\n\n'
    "Same thing from both offices ({x.city} and {x.city}).",
    "I got an alert that someone signed in to my account from {ip4} at {x.time} on {x.weekday}. That was\n"
    "not me, I was at home in {x.city}. My own IP is normally {ip4}. I have already changed my password.\n"
    "Also, the alert came from {email} - is that really one of your addresses?",
    "We're allow-listing your service in our firewall. Our outgoing addresses are {ip4} and {ip6}, and the\n"
    "{x.city} office goes out via {ip6}. Which addresses do your webhooks come from? The docs at\n{x.url} "
    "don't say.",
    "I pasted a link containing my session into a public Slack channel by mistake:\n{url}\n"
    "Can you invalidate it? The other link I shared ({x.url}) should be harmless. {m1.first} also clicked\n"
    "something like {url} this morning - should we be worried?",
    "Notifications stopped on {x.weekday}. Debug info from the app:\n\n{log}\n\n"
    "Our IT person {m1.full} says the server at {ip4} can reach you fine.",
    'The unsubscribe link in your newsletter is broken: <{url}>. Also the "view in browser" link\n'
    "{x.url} shows someone else's name, {x.person}, at the top. Not great for a privacy product.",
    # Forwarded mail and replies
    "Forwarding this from our treasurer. Is it really from you?\n\n---------- Forwarded message ---------\n"
    "From: {m1.full} <{m1.email}>\nDate: {x.date_long}\nSubject: Fwd: Your card is about to expire\n"
    "To: {r.full} <{r.email}>\nCc: {email}\n\nHi {r.first},\n\n"
    'I got this from "iCentrex Billing" <{email}> asking me to confirm our card. They wanted the full\n'
    "number so I sent {card} and the expiry date. Was that stupid?\n\n{m1.first}\n{m1.phone}",
    "See below, {m1.first} asked me to send this on.\n\nFrom: {m1.full} <{m1.email_case}>\nSent: "
    "{x.date_long}\n"
    "To: {r.lower} <{r.email}>; {m2.full} <{m2.email}>\nSubject: RE: {r.poss} access\n\n"
    "Can you check why {r.first} can't see the {x.group} folder? {r.poss} account is {r.user}.\n\n"
    "Thanks, {m1.first}",
    "I ended up with two accounts: {r.email} and {r.email_plus}. The second one was created when {m1.first}\n"
    "invited my work address. Could you merge them? I'd like to keep the history from the first one.",
    # Short and angry
    "why does {m1.first_lower} STILL get all my notifications?? I left {company} in {w:June}. stop sending "
    "stuff\n"
    "to {r.email_case} NOW",
    "Please call me back as soon as possible, it's about invoice {x.invoice}. My number is {r.phone_split}.",
    "Third email about this. Contact me on {r.phone} or [{r.email}](mailto:{r.email}), not via {x.product}.",
    "This is {r.lower} from {company}. Call me: {r.phone}. Email: mailto:{r.email}.",
)

SV_TOPICS = (
    # Inloggning
    "Jag kommer inte in på mitt konto längre. Användarnamnet är {r.user} och mejladressen\n"
    "{r.email_case}. Har återställt lösenordet två gånger men länken säger bara att den har gått ut:\n{url}\n"
    "\n"
    "Jag sitter på {x.product} på jobbdatorn om det spelar någon roll. Ring gärna {r.phone} om ni undrar "
    "något.",
    "Jag har bytt telefon och koderna för tvåstegsverifiering går fortfarande till kontorets gamla\n"
    "nummer {phone}. Mitt nya mobilnummer är {r.phone}. Kan ni ändra det? Jag loggar in med {r.email}.",
    "Så här har veckan sett ut:\nMåndag: kom inte in alls\nTisdag: {m1.first} återställde lösenordet, "
    "funkade "
    "en timme\nOnsdag: utelåst igen, felkod {x.errcode}\n\nAnvändarnamnet är {r.user}. {w:Dag} fyra nu utan "
    "inloggning.",
    'Ert system spärrar mig hela tiden som "misstänkt". Jag reser mycket i jobbet, i dag sitter jag i\n'
    "{x.city} på hotellets wifi ({ip4}) och i går var det {ip6} på flygplatsen. Användarnamn: {r.user}.",
    "SSO har slutat funka efter uppdateringen till {x.version}. Omdirigeringen hamnar på {url} och sen blir\n"
    "sidan vit. Gäller i alla fall {m1.first}, {m2.first} och mig.",
    'Formuläret godkänner inte mitt telefonnummer. Har provat {r.phone} och {r.phone}, båda ger "ogiltigt".\n'
    "Min kollega {m1.full} hade samma problem med {m1.phone}.",
    # Fakturor och betalning
    "Vi har blivit dragna två gånger för Team-planen den här månaden, {x.amount} varje gång. Båda "
    "dragningarna\n"
    "gick på företagskortet {card}. Kvittona har ordernummer {x.order} och {x.order}, och banken visar\n"
    "referensen {x.cardlike}. Kan ni betala tillbaka den ena?\n\nFakturor ska gå till {email} och inte till "
    "mig "
    "privat.",
    "Eftersom vi sa upp abonnemanget i slutet av april har vi rätt till återbetalning för resterande\n"
    "månader. Betala gärna till vårt konto:\n\nIBAN: {iban}\nBIC: {x.bic}\nKontohavare: {company}\n"
    "Gammalt konto (avslutat, ta bort): {x.iban}\n\n"
    "Vår redovisningskonsult {m1.full} ({m1.email}) håller koll på att pengarna kommer in. Ring {m1.first} "
    "på\n"
    "{m1.phone} om något är oklart.",
    "Jag tror att jag skrev fel IBAN när jag lade upp autogirot. I bekräftelsen står det {x.iban} men det\n"
    "ska vara {iban}. Går det att ändra eller måste jag avsluta och börja om?",
    "Jag sa upp tjänsten {x.date} men kortet drogs igen ({x.masked}). Fast jag är inte säker på vilket "
    "kort,\n"
    'vi har två registrerade: {card} och {card15}. På kontoutdraget står det "ICENTREX*PRIVACY '
    '{x.cardlike}".',
    "Betalningen gick inte igenom igen. Felmeddelandet visar transaktion {x.cardlike} och säger att kortet\n"
    "{card} nekades, men banken säger att det inte ens gjorts något försök. {m1.full} på ekonomi har redan\n"
    "ringt dem från {m1.phone}. Kan ni försöka dra igen?",
    "Vi har betalat fakturan via bankgiro {x.bankgiro} med OCR {x.ocr}, men den står fortfarande som "
    "obetald.\n"
    "Vårt organisationsnummer är {x.orgnr} om ni behöver det. Kontaktperson hos oss är {m1.full}, "
    "{m1.phone}.",
    "{w:Per} månad blir det nu dubbelt så dyrt som offerten. Kan ni skicka fakturorna till {email_role} i\n"
    "fortsättningen och märka dem med {x.invoice}? Återbetalningen kan gå till {iban_se}.",
    "Bortse från IBAN-numret på våra gamla fakturor ({x.iban}), rätt är {iban}. Säger ert system att det\n"
    "är ogiltigt kan {m1.first} bekräfta det på {m1.phone}. (Filialen i Tyskland har {iban_de}.)",
    "Vårt växelnummer har ändrats från {phone@old} till {phone}. Kan ni uppdatera organisationsprofilen?\n"
    "I sidfoten på era mejl står det fortfarande {phone@old}.",
    "Uppdatera {m1.poss} nummer, det är {m1.phone} nu och inte {phone}. {m2.first} har också fått nytt:\n"
    "{m2.phone_split}. Båda bad mig fixa det eftersom jag är admin.",
    "Kortuppgifter för förnyelsen: {card16}, giltigt till 09/27. Numret på er senaste faktura, "
    "{x.cardlike},\n"
    "är vårt kundnummer och inget kort, ifall ni blandar ihop dem igen.",
    "Ta bort kortet {card_compact} från vårt konto, {m1.full} har slutat och det var {m1.poss}\n"
    "företagskort. Det nya är {card} och står på mig.",
    "Sluta skicka veckobrevet till de här gemensamma inkorgarna: {email_role}, {email_sub},\n"
    "{email_upper}. Det ska bara gå till {m2.email} och till mig ({r.email}).",
    "Skicka kallelserna till styrelsemötena till {m4.email_plus}, så sorterar {m4.first} dem. Mina kan gå\n"
    "till {r.email_plus}.",
    "Vi vill byta kort. Nytt kort: {card_compact}, gamla ({x.masked}) kan tas bort. Fakturaadressen är\n"
    "{email} och vårt orgnr {x.orgnr}.",
    # Föreningen och dess admin
    'Vår admin {m1.full} har tagit bort mig från gruppen "{x.group}" utan att säga något. Jag har varit med\n'
    "i {company} i sex år! Vilka mer har adminbehörighet? Jag tror att {m2.first} har det, och kanske\n"
    "{m3.full}, men {m2.poss} konto verkar vara avstängt. Det är andra gången sedan i {x.month}.",
    "Vem är admin i vår förening? {m1.first} säger att det är {m2.full}, men {m2.first} slutade förra året.\n"
    "Jag behöver få min åtkomst godkänd, användarnamn {r.user}.",
    "Kan ni lägga till de här personerna i föreningen? De har inte fått några inbjudningar.\n\n"
    "- {m1.full}, {m1.email}, {m1.phone}\n- {m2.full} <{m2.email_case}>\n- {m3.full} ({m3.email}), mobil "
    "{m3.phone}\n\n{m2.first} börjar på {x.weekday} så det är bråttom.",
    "{m1.full} slutade hos oss i augusti, men {m1.poss} profil med telefonnummer ({m1.phone}) och mejl\n"
    "({m1.email}) syns fortfarande för alla. Kan ni ta bort det? Jag är ny admin efter {m2.full}.",
    "Vår nya kassör heter {m1.split} och börjar {x.date}. Kan ni göra {m1.first} till fakturakontakt i\n"
    "stället för {m2.full}? {m2.poss} mejl {m2.email} kan tas bort från fakturorna.",
    "Snabb fråga: kan {m1.full} läsa mina privata anteckningar? {m1.first} citerade en av dem på ett möte i\n"
    "{x.weekday}s och jag har aldrig delat den. Om admins kan läsa anteckningar borde det stå i hjälpen\n"
    "({x.url}).",
    "Här är nya styrelsen som ska in i systemet:\n\nOrdförande: {m1.full}, {pnr}, {m1.email}\n"
    "Kassör: {m2.full}, {pnr}, tel {m2.phone}\nSekreterare: {r.full} (jag)\n\n"
    "Valda på årsmötet {x.date}. {m3.full} ska inte längre vara admin.",
    "Är det meningen att {m1.lower} ska kunna se när jag senast var inloggad? Frågade {m2.full} men\n"
    "{m2.first} visste inte. {w:Klara} besked vore skönt.",
    # Dataskydd
    "Jag vill begära ut ett registerutdrag enligt GDPR, alltså all information ni har om mig.\n\n"
    "Namn: {r.full}\nPersonnummer: {pnr}\nE-post: {r.email_case}\nMobil: {r.phone}\nAnvändarnamn: {r.user}\n"
    "\n"
    "Jag vill också veta om {m1.full} eller någon annan på {company} kan se min aktivitetslogg.",
    "Radera mitt konto och all data som hör till det. När jag registrerade mig krävde formuläret\n"
    "personnummer och jag skrev {pnr}. Det tycker jag inte att ni ska ha. Jag frågade min chef om det.\n"
    "{w:Hans} svar var att det behövs för fakturan, stämmer det? (Första försöket, {x.pnr}, godkändes\n"
    "inte, så det kanske också ligger kvar någonstans.)",
    "I medlemslistan kan alla se varandras personnummer! {m1.full} upptäckte det i går. Till exempel står\n"
    "{m2.full_poss} personnummer {pnr} helt öppet. Det borde väl bara admins se? Mitt eget är dessutom\n"
    "fel: där står {x.pnr} men det ska vara {pnr}.",
    "Jag hjälper min mormor med hennes medlemskap. Hon har fyllt 100 och hennes personnummer\n"
    '{pnr_plus} godkänns inte i ert formulär ("ogiltigt tecken"). Plustecknet är ju rätt för den som är '
    "över 100!",
    "Formuläret säger att mitt personnummer är ogiltigt. Jag har provat både {pnr_compact@me} och\n"
    "{pnr_long@me}. Jag är född {x.birthdate@me} om det är det ni kontrollerar. ({x.pnr} är min sambos\n"
    "gamla felskrivning, bortse från den.)",
    "Medlemsexporten har fel personnummer: rad 3 säger {x.pnr} och rad 7 {x.pnr}. Rätt för\n"
    "{m1.full} är {pnr_short@m1} (född {x.birthdate@m1}), den andra raden ska vara tom.",
    'Fältet "Födelsedatum" vill ha {x.birthdate} men kontrollerar det som ett personnummer och säger fel.\n'
    "Mitt är {pnr_compact12}, och mitt gamla konto {x.iban} ligger kvar i profilen, ta bort det.",
    "Ni har skickat min faktura till fel person! Den gick till {email} i stället för {r.email}. Fakturan "
    "har\n"
    "min hemadress och slutsiffrorna på mitt kort ({x.masked}). {m1.first} skickade tillbaka den till mig.\n"
    "Hur kunde det här hända?",
    "Vi laddade av misstag upp fel fil i dokumentarkivet. Den innehåller bland annat:\n\n"
    "namn;personnummer;iban\n{m1.full};{pnr_compact};{iban_compact}\n"
    "{m2.full};{pnr_compact12};{iban_compact}\n\n"
    "Kan ni radera den permanent, även från backuper?",
    "Varför får {m1.full} fortfarande mejl om mitt ärende? Jag bad om att {m1.poss} behörighet skulle tas\n"
    "bort {x.date}. Senaste gick till {m1.email_case} i går.",
    # Buggar och säkerhet
    "Exporten till Excel kraschar varje gång (502 Bad Gateway).\n\nSå här gör jag:\n1. Loggar in som "
    "{r.user}\n"
    '2. Går till Medlemmar > Exportera\n3. Klickar på "Ladda ner"\n\n'
    "Webbläsare: {x.product} {x.version}. Vår IT-tekniker {m1.first} tog fram det här ur loggen:\n\n{log}\n\n"
    "Samma sak från båda kontoren ({x.city} och {x.city}).",
    "Fick ett mejl om att någon loggat in på mitt konto från {ip4} kl. {x.time} i går. Det var inte jag,\n"
    "jag var hemma i {x.city} hela kvällen. Min egen IP brukar vara {ip4}. Lösenordet är redan bytt.\n"
    "Varningen kom från {email} – är det verkligen er adress?",
    "Vi håller på att öppna brandväggen för er tjänst. Våra utgående adresser är {ip4} och {ip6}, och\n"
    "kontoret i {x.city} går ut via {ip6}. Från vilka adresser kommer era webhooks? Det står inte i\n"
    "dokumentationen ({x.url}).",
    "Råkade klistra in en länk med min inloggning i en öppen Teams-kanal:\n{url}\n"
    "Kan ni spärra den? Den andra länken jag delade ({x.url}) är väl ofarlig. {m1.first} klickade också\n"
    "på något i stil med {url} i morse, ska vi vara oroliga?",
    "Notiserna slutade komma i {x.weekday}s. Felsökningsinfo från appen:\n\n{log}\n\n"
    "Vår IT-ansvariga {m1.full} säger att servern på {ip4} når er utan problem.",
    'Avregistreringslänken i nyhetsbrevet fungerar inte: <{url}>. Dessutom visar länken "visa i\n'
    'webbläsaren" {x.url} någon annans namn, {x.person}, högst upp. Inte så bra för en integritetstjänst.',
    # Vidarebefordrat och svar
    "Vidarebefordrar detta från vår kassör. Är det verkligen ni som har skickat det?\n\n"
    "Från: {m1.full} <{m1.email}>\nSkickat: {x.date_long}\nTill: {r.full} <{r.email}>\nKopia: {email}\n"
    "Ämne: VB: Ditt kort går snart ut\n\nHej {r.first}!\n\n"
    'Fick det här från "iCentrex Fakturering" <{email}> där de ville att vi bekräftar kortet. De ville\n'
    "ha hela numret så jag skickade {card} och utgångsdatum. Var det dumt?\n\n/{m1.first}\n{m1.phone}",
    "Se nedan, {m1.first} bad mig skicka vidare.\n\nFrån: {m1.full} <{m1.email_case}>\nSkickat: "
    "{x.date_long}\n"
    "Till: {r.lower} <{r.email}>; {m2.full} <{m2.email}>\nÄmne: SV: {r.poss} behörighet\n\n"
    "Kan ni kolla varför {r.first} inte ser mappen {x.group}? {r.poss} konto är {r.user}.\n\n/{m1.first}",
    "Jag har fått två konton: {r.email} och {r.email_plus}. Det andra skapades när {m1.first} bjöd in\n"
    "mig med fel adress. Kan ni slå ihop dem? Historiken från det första vill jag behålla.",
    # Korta och arga
    "varför får {m1.first_lower} FORTFARANDE alla mina notiser?? jag slutade på {company} i våras. sluta\n"
    "skicka saker till {r.email_case} NU",
    "Ring mig så snart ni kan, det gäller faktura {x.invoice}. Numret är {r.phone_split}.",
    "Tredje mejlet om detta. Nå mig på {r.phone} eller [{r.email}](mailto:{r.email}), inte via {x.product}.",
    "Det här är {r.lower} på {company}. Ring mig: {r.phone}. Mejl: mailto:{r.email}.",
)

EN_EXTRAS = (
    "PS. I'm off on {x.weekday}, please call {m1.full} on {m1.phone} instead.",
    "PS. {m1.first} is in cc ({m1.email}).",
    "PS. {w:Love} the new dashboard otherwise!",
    "P.S. {w:Will} this be fixed before {w:May}? {w:Summer} is our busiest time.",
    "PS: if you can't reach me, try {m1.poss} mobile {m1.phone_split}.",
    "On {x.date_long}, {r.full} <{r.email}> wrote:\n> Hi, I still haven't received the refund to {iban}.\n"
    "> Regards, {r.first}",
    "Contact at our end while I'm away: {m1.full} | {m1.phone} | {m1.email}",
    "Our proxy log, in case it helps:\n\n{log}",
    "(My old address {email_person} no longer works, please use this one.)",
    "PS. {x.person} from your sales team promised us a discount on the phone.",
)
SV_EXTRAS = (
    "PS. Jag är ledig på {x.weekday}, ring {m1.full} på {m1.phone} i stället.",
    "PS. {m1.first} är med på kopia ({m1.email}).",
    "PS. {w:Maj} och juni har också dragits dubbelt, se {x.url}.",
    "PS. Når ni inte mig går det bra att ringa {m1.poss} mobil {m1.phone_split}.",
    "{x.date_long} skrev {r.full} <{r.email}>:\n> Hej, jag har fortfarande inte fått återbetalningen "
    "till\n"
    "> {iban}.\n> Mvh {r.first}",
    "Kontaktperson hos oss medan jag är borta: {m1.full} | {m1.phone} | {m1.email}",
    "Loggen från vår proxy om det hjälper:\n\n{log}",
    "(Min gamla adress {email_person} fungerar inte längre, använd den här.)",
    "PS. {x.person} på er säljavdelning lovade oss rabatt på telefon.",
    "PS. {w:Saga} heter vår nya app-integration, inte att förväxla med någon av oss.",
)

TEMPLATES = {
    "en": (EN_GREETINGS, EN_TOPICS, EN_EXTRAS, EN_CLOSINGS, EN_SIGNATURES),
    "sv": (SV_GREETINGS, SV_TOPICS, SV_EXTRAS, SV_CLOSINGS, SV_SIGNATURES),
}


# --- Generation --------------------------------------------------------------------------------------


def _make_org(rng: random.Random, lang: str) -> _Org:
    """A reporter and 4-8 other members with distinct first and last names (case-insensitively)."""
    people: list[tuple[str, str]] = []
    taken: set[str] = set()
    size = rng.randint(5, 9)
    while len(people) < size:
        native = rng.random() < 0.8
        sv = native if lang == "sv" else not native
        first, last = rng.choice(SV_FIRST if sv else EN_FIRST), rng.choice(SV_LAST if sv else EN_LAST)
        if first.casefold() in taken or last.casefold() in taken:
            continue
        taken |= {first.casefold(), last.casefold()}
        people.append((first, last))
    company = rng.choice(SV_COMPANIES if lang == "sv" else EN_COMPANIES)
    domain = _company_domain(company)
    persons, used_phones = [], set()
    for i, (first, last) in enumerate(people):
        given, family = _fold(first).replace(" ", ""), _fold(last).replace(" ", "")
        local = rng.choice(
            (f"{given}.{family}", f"{given[0]}.{family}", given, f"{given}{family[0]}", f"{given}.{family}")
        )
        email_domain = domain if i or rng.random() < 0.6 else rng.choice(EXTERNAL_DOMAINS)
        if rng.random() < 0.15:
            email_domain = rng.choice(("mail", "staff", "kontor")) + "." + email_domain
        plan_choices = ("se_mobile", "se_mobile", "se_stockholm", "uk_mobile")
        if lang == "en":
            plan_choices = ("uk_mobile", "uk_london", "us", "us", "se_mobile")
        while True:
            phone = Phone.random(rng, rng.choice(plan_choices))
            if phone.national_digits not in used_phones:
                used_phones.add(phone.national_digits)
                break
        persons.append(
            Person(
                first=first,
                last=last,
                email=f"{local}@{email_domain}",
                username=_username(rng, first, last),
                phone=phone,
                phone_profile=rng.choice(phone.formats()),
            )
        )
    return _Org(lang=lang, company=company, domain=domain, reporter=persons[0], members=persons[1:])


class _Deck:
    """Draws templates like cards from a shuffled deck, so every topic is used about equally often."""

    def __init__(self, rng: random.Random, items: tuple[str, ...]):
        self.rng, self.items, self.pile = rng, items, []

    def draw(self) -> str:
        if not self.pile:
            self.pile = list(self.items)
            self.rng.shuffle(self.pile)
        return self.pile.pop()


def _compose(rng: random.Random, org: _Org, topics: _Deck) -> _Message:
    """Greeting, one or two topics, maybe an extra paragraph, closing and signature."""
    greetings, _topics, extras, closings, signatures = TEMPLATES[org.lang]
    message = _Message(rng=rng, org=org)
    message.used_phones = {p.phone.national_digits for p in (org.reporter, *org.members)}
    gap = "\n\n" if rng.random() < 0.8 else "\n"
    blocks = []
    if rng.random() < 0.85:
        blocks.append(rng.choice(greetings))
    blocks.append(topics.draw())
    if rng.random() < 0.3:
        second = topics.draw()
        blocks.append(second if second != blocks[-1] else topics.draw())
    if rng.random() < 0.4:
        blocks.append(rng.choice(extras))
    if rng.random() < 0.9:
        closing, signature = rng.choice(closings), rng.choice(signatures)
        blocks.append(f"{closing}\n{signature}" if rng.random() < 0.85 else f"{closing} {signature}")
    for i, block in enumerate(blocks):
        if i:
            message.emit(gap)
        message.render(block)
    return message


def generate(seed: int = SEED, per_language: int = MESSAGES_PER_LANGUAGE) -> list[dict]:
    rng = random.Random(seed)
    decks = {lang: _Deck(rng, templates[1]) for lang, templates in TEMPLATES.items()}
    corpus = []
    for n in range(2 * per_language):
        lang = ("en", "sv")[n % 2]
        org = _make_org(rng, lang)
        message = _compose(rng, org, decks[lang])
        text = message.text
        for span in message.spans + message.distractors:
            assert text[span["start"] : span["end"]] == span["text"], span
        corpus.append(
            {
                "id": f"{lang}-{n // 2 + 1:03d}",
                "lang": lang,
                "reporter": org.reporter.profile(),
                "org_members": [m.full for m in org.members],
                "text": text,
                "spans": message.spans,
                "distractors": message.distractors,
            }
        )
    return corpus


# --- Self-check --------------------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IPV4_RE = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")
_IPV6_RE = re.compile(
    r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])"
)
_CARDISH_RE = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?!\d)")
_PNRISH_RE = re.compile(r"(?<!\d)(?:\d{8}|\d{6})[-+]?\d{4}(?!\d)")
_IBANISH_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b")
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>()\"]+")


def _covered(spans: list[dict], start: int, end: int) -> bool:
    return any(s["start"] <= start and end <= s["end"] for s in spans)


def _reporter_matches(text: str, reporter: dict) -> bool:
    """Whether text is one of the reporter's identifiers, in any case, spelling or line wrapping."""
    folded = " ".join(text.split()).casefold()
    name = reporter["name"].casefold()
    first = name.split()[0]
    if folded in (name, first, reporter["username"].casefold()):
        return True
    if "@" in text:
        tagless = re.sub(r"\+[^@]*@", "@", folded)
        return tagless == reporter["email"].casefold()
    if re.search(r"\d", text):
        return phone_national_digits(text) == phone_national_digits(reporter["phone"])
    return False


def _plausible(kind: str, value: str, item: dict) -> bool:
    """Whether a labelled text really is what its kind says (checksums included)."""
    if kind == "email":
        return _EMAIL_RE.fullmatch(value) is not None
    if kind == "phone":
        return 7 <= len(re.sub(r"\D", "", value)) <= 15
    if kind == "ip":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return True
    if kind == "url":
        return url_has_token(value)
    if kind == "card":
        digits = re.sub(r"[ -]", "", value)
        return 13 <= len(digits) <= 19 and luhn_valid(digits)
    if kind == "iban":
        return iban_valid(value)
    if kind == "personnummer":
        return personnummer_valid(value)
    if kind == "name":
        name = " ".join(value.split()).casefold()
        return any(name in (m.casefold(), *m.casefold().split()) for m in item["org_members"])
    return kind == "reporter" and _reporter_matches(value, item["reporter"])


def self_check(corpus: list[dict]) -> list[str]:
    """Everything that must hold for the corpus to be trusted; returns the problems found."""
    problems = []

    def fail(item: dict, message: str) -> None:
        problems.append(f"{item['id']}: {message}")

    for item in corpus:
        text, spans = item["text"], item["spans"]
        # Spans: ordered, non-overlapping, exact, of a known kind and plausible for that kind.
        for before, after in zip(spans, spans[1:], strict=False):
            if before["end"] > after["start"]:
                fail(item, f"overlapping or unsorted spans {before} {after}")
        for span in spans + item["distractors"]:
            if text[span["start"] : span["end"]] != span["text"]:
                fail(item, f"span text mismatch {span}")
        for span in spans:
            kind, value = span["kind"], span["text"]
            if not _plausible(kind, value, item):
                fail(item, f"implausible {kind} {value!r}")
        # Distractors: the ones built to fail a checksum really fail it.
        for d in item["distractors"]:
            compact = re.sub(r"[ -]", "", d["text"])
            sort = d["sort"]
            if sort == "card-like number failing Luhn" and luhn_valid(compact):
                fail(item, f"card-like distractor passes Luhn {d}")
            if sort == "IBAN failing mod-97" and iban_valid(d["text"]):
                fail(item, f"IBAN distractor passes mod-97 {d}")
            if sort in ("personnummer failing Luhn", "date") and personnummer_valid(d["text"]):
                fail(item, f"personnummer distractor is valid {d}")
            if sort == "bankgiro, BIC or orgnr" and personnummer_valid(d["text"]):
                fail(item, f"orgnr distractor is a valid personnummer {d}")
            if sort == "harmless URL" and url_has_token(d["text"]):
                fail(item, f"harmless URL carries a token {d}")
            if _covered(spans, d["start"], d["end"]):
                fail(item, f"distractor inside a label {d}")
        # Nothing identifying is left unlabelled: names of the people involved, emails, IPv4 addresses,
        # Luhn-valid card-length numbers, valid personnummer, valid IBANs, URLs carrying tokens.
        names = [item["reporter"]["name"], *item["org_members"]]
        for token in {part for name in names for part in name.split()}:
            for match in re.finditer(rf"(?<!\w){re.escape(token)}s?(?!\w)", text, re.IGNORECASE):
                if not _covered(spans, match.start(), match.start() + len(token)):
                    fail(item, f"unlabelled name {match.group()!r} at {match.start()}")
        for match in _EMAIL_RE.finditer(text):
            if not _covered(spans, *match.span()):
                fail(item, f"unlabelled email {match.group()!r}")
        for match in _IPV4_RE.finditer(text):
            try:
                ipaddress.IPv4Address(match.group())
            except ValueError:
                continue
            if not _covered(spans, *match.span()):
                fail(item, f"unlabelled IPv4 {match.group()!r}")
        for match in _IPV6_RE.finditer(text):
            try:
                ipaddress.IPv6Address(match.group())
            except ValueError:
                continue
            if not _covered(spans, *match.span()):
                fail(item, f"unlabelled IPv6 {match.group()!r}")
        # Digits inside a deliberately broken IBAN may pass Luhn by chance; they belong to the distractor.
        broken_ibans = [d for d in item["distractors"] if d["sort"] == "IBAN failing mod-97"]
        for match in _CARDISH_RE.finditer(text):
            if _covered(broken_ibans, *match.span()):
                continue
            if luhn_valid(re.sub(r"[ -]", "", match.group())) and not _covered(spans, *match.span()):
                fail(item, f"unlabelled Luhn-valid number {match.group()!r}")
        for match in _PNRISH_RE.finditer(text):
            if personnummer_valid(match.group()) and not _covered(spans, *match.span()):
                fail(item, f"unlabelled personnummer {match.group()!r}")
        for match in _IBANISH_RE.finditer(text):
            if iban_valid(match.group()) and not _covered(spans, *match.span()):
                fail(item, f"unlabelled IBAN {match.group()!r}")
        for match in _URL_RE.finditer(text):
            url = match.group().rstrip(".,;:!?")
            if url_has_token(url) and not _covered(spans, match.start(), match.start() + len(url)):
                fail(item, f"unlabelled URL {url!r}")
    return problems


# --- Main --------------------------------------------------------------------------------------------


def _tricky_tally(corpus: list[dict]) -> Counter:
    """How often some of the deliberately tricky spellings occur, for the printed summary."""
    tally: Counter = Counter()
    for item in corpus:
        text = item["text"]
        for s in item["spans"]:
            value, before = s["text"], text[max(0, s["start"] - 7) : s["start"]]
            after = text[s["end"] : s["end"] + 1]
            is_email = "@" in value
            is_phone = s["kind"] == "phone" or (
                s["kind"] == "reporter" and re.search(r"\d{2}", value) and not is_email
            )
            tally["spans split by a line break"] += "\n" in value
            if is_email:
                tally["email with +tag"] += "+" in value
                tally["email with upper case"] += value != value.lower()
                tally["email in <...> or after mailto:"] += before.endswith(("<", "mailto:"))
                tally["email followed by . , ; : ) ? or !"] += after in tuple(".,;:)?!")
            if is_phone:
                tally["phone, international"] += value.startswith(("+", "00"))
                tally["phone, national"] += not value.startswith(("+", "00"))
            if s["kind"] == "reporter" and not is_email and not is_phone:
                name = item["reporter"]["name"]
                tally["reporter name, lower case"] += (
                    value == value.lower() and value != item["reporter"]["username"]
                )
                tally["reporter first name alone"] += value == name.split()[0]
            if s["kind"] in ("name", "reporter") and after in ("'", "’", "s") and "@" not in value:
                tally["possessive or genitive name"] += 1
            if s["kind"] == "ip":
                tally["IPv6" if ":" in value else "IPv4"] += 1
            if s["kind"] == "card":
                tally[f"card, {len(re.sub(r'[ -]', '', value))} digits"] += 1
            if s["kind"] == "iban":
                tally[f"IBAN {value[:2]}"] += 1
            if s["kind"] == "personnummer":
                tally["personnummer with +"] += "+" in value
    return tally


def main() -> int:
    corpus = generate()
    problems = self_check(corpus)
    if problems:
        print(f"{len(problems)} problems:", *problems[:50], sep="\n", file=sys.stderr)
        return 1
    OUTPUT.write_text(json.dumps(corpus, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    by_lang = Counter(item["lang"] for item in corpus)
    kinds = Counter(s["kind"] for item in corpus for s in item["spans"])
    kinds_by_lang = {
        lang: Counter(s["kind"] for item in corpus if item["lang"] == lang for s in item["spans"])
        for lang in by_lang
    }
    sorts = Counter(d["sort"] for item in corpus for d in item["distractors"])
    print(
        f"Wrote {OUTPUT} ({len(corpus)} messages: "
        + ", ".join(f"{n} {lang}" for lang, n in by_lang.items())
        + ")"
    )
    print("\nLabelled spans per kind (total / en / sv):")
    for kind in KINDS:
        print(
            f"  {kind:<13} {kinds[kind]:>5} / {kinds_by_lang['en'][kind]:>4} / {kinds_by_lang['sv'][kind]:>4}"
        )
    print(f"  {'all':<13} {sum(kinds.values()):>5}")
    print("\nDistractors (never labelled):")
    for sort, n in sorts.most_common():
        print(f"  {sort:<42} {n:>5}")
    print("\nTricky cases among the labels:")
    for case, n in sorted(_tricky_tally(corpus).items()):
        print(f"  {case:<42} {n:>5}")
    print("\nSelf-check passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
