"""The masking engine (issue 8): finds what identifies people in a support
case's text and masks it before the case is shared with an organisation.

Each detector returns spans with the kind of thing found and the rule that
fired; ``detect`` keeps, of overlapping spans, the longest (an email address
that contains the reporter's username is masked as one email address).
Checksummed identifiers are confirmed with python-stdnum (Luhn for cards,
ISO 13616 for IBANs, the personnummer check digit), phone numbers with
phonenumbers (Swedish national formats and any international one), IP
addresses with the standard library. Names are never guessed: only the
reporter's own and those of the organisation's other members are masked.

A mask says what it replaced (``[email]``, ``[phone]``, ``[name]``...); the
masked values themselves are never kept anywhere.
"""

import bisect
import datetime
import ipaddress
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import phonenumbers
import stdnum
from stdnum import iban, luhn
from stdnum.se import orgnr, personnummer

KINDS = ("email", "phone", "ip", "url", "card", "iban", "personnummer", "name", "username")
# Found so that nothing else masks it, then left as it is (an organisation number).
KEEP = "keep"


@dataclass(frozen=True)
class Detection:
    start: int
    end: int
    kind: str  # what the mask says: one of KINDS
    rule: str  # which rule found it, for the redaction report


@dataclass(frozen=True)
class Identity:
    """What the reporter's profile says about them."""

    name: str = ""
    email: str = ""
    username: str = ""
    phone: str = ""


# --- Patterns ------------------------------------------------------------------

_EMAIL = re.compile(r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'\""
# Query parameters whose value identifies a person, a session or a secret.
_URL_SECRET_KEYS = re.compile(
    r"(token|key|secret|session|sid|auth|code|sig|signature|pass|pwd|uid|user|email|mail|id|account|ref|hash"
    r"|invite|ticket|reset|verify|confirm|credential|otp|nonce|state|expires)",
    re.IGNORECASE,
)
# Path segments after which the next segment is the secret: reset, recovery,
# verification, magic sign-in, invitation, unsubscribe and share links.
_SECRET_PATH_WORDS = frozenset(
    """reset password-reset reset-password passwordreset recover recovery account-recovery verify
    verification verify-email confirm confirmation activate activation magic magic-link magiclink
    login-link signin-link sign-in-link auth token tokens t invite invites invitation invitations join
    unsubscribe optout opt-out unsub share shared s dl download downloads o otp one-time sso callback
    approve accept claim""".split()
)
_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE)
# A slug: words and short numbers ("report-2024-05.pdf", "How-to-reset"), never a
# run mixing letters and digits or cases the way a token does ("8fK2pQ", "MTIz").
_SLUG = re.compile(
    r"(?:[a-z]+|[A-Z][a-z]*|[A-Z]{2,5}|\d{1,5})(?:[-_.~](?:[a-z]+|[A-Z][a-z]*|[A-Z]{2,5}|\d{1,5}))*"
)
_SLUG_CHUNK = re.compile(r"[A-Za-z]+|\d+")


_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]*\d)")
_IPV6 = re.compile(
    r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4})(?:%\w+)?(?![\w:]|\.\d)"
)
# Checksummed identifiers: digits grouped by a space, dash or dot, or broken by one
# line break; never cut out of a longer run of digits.
_CARD = re.compile(r"(?<![\d-])\d(?:(?:[ .-]|\n[ \t>]*)?\d){12,18}(?![\d-])")
# A country code and check digits, then the account: any case, grouped or not, and
# possibly run into the next word ("…7466betalt"): its country's length decides the end.
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:(?:[ \t-]|\n[ \t>]*)?[A-Za-z0-9]){11,30}")
_PERSONNUMMER = re.compile(r"(?<![\d-])(?:\d{2})?\d{6}(?:[-+]?\n[ \t>]*[-+]?|[-+ ])?\d{4}(?![\d-])")
# Swedish organisation numbers: ten digits (or "16" and ten) with a valid check
# digit whose third digit is 2 or more (a personnummer's month never is).
_ORGANISATION_NUMBER = re.compile(r"(?<![\d-])(?:16)?\d{6}-?\d{4}(?![\d-])")
# A run of digits with the separators phone numbers are written with (one
# line break allowed: numbers get split across lines); phonenumbers decides.
# A tab separates cells, never the digits of one number.
_PHONE_CANDIDATE = re.compile(r"(?:\+|\(\+?)?\d[\d ().\-/]*(?:\n[\d ().\-/]*)?\d")


_AT = re.compile("@")
_LOCAL_PART = re.compile(r"[\w!#$%&'*+/=?^`{|}~.-]{1,64}$")
# One line break (with the indent or "> " quoting of a wrapped mail) may fall at the
# "@" or beside a dot of the domain: "anna@example\n.se", "anna@\nexample.se".
_BREAK = r"(?:\n[ \t>]*)?"
# A hard wrap may also split the first label ("hwhitfield@ope\nnlarder.org.uk", as bounce
# messages print it): crossed only before any dot, where the address is not yet complete.
_DOMAIN_PART = re.compile(rf"{_BREAK}[\w-]+(?:\n[a-z0-9][\w-]*)?(?:{_BREAK}\.{_BREAK}[\w-]+)+")
_OBFUSCATED_EMAIL = re.compile(
    r"[\w.+-]+\s*(?:\[at\]|\(at\)|\{at\}|\s(?:at|snabel-a)\s)\s*[\w-]+"
    r"(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|\s(?:dot|punkt)\s)\s*[\w-]+)+",
    re.IGNORECASE,
)
_SPELLED_DOT = re.compile(r"\[dot\]|\(dot\)|\{dot\}|\s(?:dot|punkt)\s", re.IGNORECASE)
# After a line break that follows a dot, the address goes on only with a label
# that ends a domain or with one more dot: "anna@example.\nse" is an address,
# "…@example.se.\nThe next sentence" is not.
_AFTER_BREAK = re.compile(r"\n[ \t>]*(?:(\.)|([\w-]+)(\.?))")
_TOP_LEVEL = frozenset(
    "com net org info biz io co app dev eu se nu no dk fi is de at ch nl be fr es it pt pl uk ie us ca au "
    "example invalid test local".split()
)


def _emails(text: str):
    """Found from each "@" outwards (scanning the whole text with the full
    address pattern cost more than all the other detectors together)."""
    for at in _AT.finditer(text):
        position = at.start()
        local = _LOCAL_PART.search(text, max(0, position - 64), position)
        domain = _DOMAIN_PART.match(text, position + 1)
        if local is None or domain is None:
            continue
        end = _domain_end(text, position + 1, domain.end())
        start = local.start()
        while start < position and text[start] == ".":  # a sentence's full stop is not part of the address
            start += 1
        if start < position and end > position + 1:
            address = re.sub(r"\n[ \t>]*", "", text[start:end])
            if _EMAIL.fullmatch(address):
                yield Detection(
                    start, end, "email", "email-address" if "\n" not in text[start:end] else "email-split"
                )
    # Spelled out: looked for only from a written-out "dot" (rare), not at every word.
    for dot in _SPELLED_DOT.finditer(text):
        start = max(0, dot.start() - 80)
        for match in _OBFUSCATED_EMAIL.finditer(text, start, dot.end() + 64):
            if match.start() <= dot.start() < match.end():
                yield Detection(match.start(), match.end(), "email", "email-obfuscated")
                break


def _domain_end(text: str, start: int, end: int) -> int:
    """Where the domain really ends: a line break is crossed only where the
    address clearly goes on, and the domain ends on a label."""
    for line_break in re.finditer(r"\n", text[start:end]):
        at = start + line_break.start()
        after = _AFTER_BREAK.match(text, at)
        goes_on = at == start or (
            after is not None
            and (
                after.group(1) is not None  # "example\n.se"
                or text[at - 1] != "."  # "anna@\nexample.se" (the "@" case) or a label split mid-way
                or after.group(3) == "."
                or after.group(2).casefold() in _TOP_LEVEL
            )
        )
        if not goes_on:
            end = at
            break
    while end > start and not (text[end - 1].isalnum() or text[end - 1] == "-"):
        end -= 1
    # A domain needs a dot between labels in what is left.
    return end if "." in text[start:end] else start


def _urls(text: str):
    """URLs that carry a secret or point at one account or session: a token
    or id in the query or fragment, a secret path segment (a UUID, a long
    random segment, whatever follows "reset", "verify", "invite"...), a user
    name and password before the host. A plain link to a help page stays."""
    for match in _URL.finditer(text):
        url = match.group().rstrip(_URL_TRAILING)
        parts = urlsplit(url if "://" in url else "http://" + url)
        params = parse_qsl(parts.query, keep_blank_values=True) + parse_qsl(parts.fragment)
        if (
            "@" in parts.netloc
            or any(_URL_SECRET_KEYS.search(key) or _looks_like_id(value) for key, value in params)
            or (parts.fragment and "=" not in parts.fragment and _looks_like_id(parts.fragment))
            or _secret_path(parts.path)
            or _secret_query(parts.path, params)
        ):
            yield Detection(match.start(), match.start() + len(url), "url", "url-with-token")


def _secret_path(path: str) -> bool:
    segments = [segment for segment in path.split("/") if segment]
    for i, segment in enumerate(segments):
        if _UUID.search(segment) or _random_segment(segment):
            return True
        if segment.casefold() in _SECRET_PATH_WORDS and any(
            not _SLUG.fullmatch(following) or _unpronounceable(following) for following in segments[i + 1 :]
        ):
            return True
    return False


_VOWELS = frozenset("aeiouyåäö")


def _unpronounceable(segment: str) -> bool:
    """A code of letters alone, which the slug pattern takes for a word
    ("/invite/Xxcxfgbrck"): 8 letters or more with too few vowels, or five
    consonants in a row, as no English or Swedish word has ("/invite/colleagues",
    "/reset/password" stay words)."""
    if len(segment) < 8 or not segment.isalpha():
        return False
    letters = segment.casefold()
    vowels = sum(letter in _VOWELS for letter in letters)
    return vowels / len(letters) < 0.25 or re.search(r"[^aeiouyåäö]{5}", letters) is not None


def _secret_query(path: str, params) -> bool:
    """An unsubscribe, reset or invitation page: whatever its query says picks the person."""
    last = path.rstrip("/").rsplit("/", 1)[-1].casefold()
    return last in _SECRET_PATH_WORDS and any(len(value) >= 6 for _key, value in params)


def _random_segment(segment: str) -> bool:
    """A long segment that is not words and numbers joined into a slug
    ("360012345678-How-to-reset"): letters and digits mixed in one run, or a
    long run of hex or base64."""
    value = re.sub(r"\.(?:pdf|zip|csv|json|png|jpe?g|html?)$", "", segment)
    if len(value) < 16:
        return False
    for chunk in re.split(r"[-_~.]", value):
        if len(_SLUG_CHUNK.findall(chunk)) > 2:  # "c3x9k2": letters and digits alternate
            return True
        if len(chunk) >= 20 and not chunk.isalpha() and not chunk.isdigit():
            return True
        if len(chunk) >= 16 and re.fullmatch(r"[0-9a-f]+", chunk) and not chunk.isdigit():
            return True
    return False


def _looks_like_id(value: str) -> bool:
    """A random-looking value: letters and digits mixed, 8 characters or more,
    or a long run of letters whose case changes the way no word's does."""
    if len(value) < 8 or not re.fullmatch(r"[A-Za-z0-9_\-.=+/%]+", value):
        return False
    if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
        return True
    return len(value) >= 16 and len(re.findall(r"[a-z][A-Z]|[A-Z]{2}[a-z]", value)) >= 3


def _ips(text: str):
    for match in _IPV4.finditer(text):
        try:
            ipaddress.IPv4Address(match.group())
        except ValueError:
            continue
        yield Detection(match.start(), match.end(), "ip", "ipv4")
    for match in _IPV6.finditer(text):
        address = match.group().split("%")[0]
        if address.count(":") < 2:
            continue
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            continue
        yield Detection(match.start(), match.end(), "ip", "ipv6")


def _cards(text: str):
    for match in _CARD.finditer(text):
        runs = _with_line_parts(match)
        # Wrapped whole only where the line ends after a group of digits as cards are grouped.
        before = match.group().split("\n")[0]
        if "\n" in match.group() and sum(c.isdigit() for c in before) not in (4, 8, 10, 12):
            runs = runs[1:]
        for start, end in runs:
            digits = re.sub(r"\D", "", text[start:end])
            if 13 <= len(digits) <= 19 and _card_shape(digits) and luhn.is_valid(digits):
                yield Detection(start, end, "card", "card-luhn")
                break


def _with_line_parts(match) -> list[tuple[int, int]]:
    """A run of digits that goes on over a line break is tried whole (a number
    wrapped onto the next line) and then as the part on each line (a number at
    the end of a line, a time or a date starting the next)."""
    spans = [(match.start(), match.end())]
    value = match.group()
    if "\n" in value:
        cut = value.index("\n")
        before = value[:cut].rstrip(" \t-./")
        after = value[cut:].lstrip("\n \t>")
        if _DATE_SHAPE.match(after):  # the next line starts with a date: no number goes on into it
            spans.pop()
        if before:
            spans.append((match.start(), match.start() + len(before)))
        if after:
            spans.append((match.end() - len(after), match.end()))
    return spans


def _card_shape(digits: str) -> bool:
    """Issuer prefix and length of the card schemes in use (Visa, Mastercard,
    American Express, Discover, Diners, JCB, Maestro, UnionPay): a Luhn-valid
    order number starting with 1 is not a card."""
    length, prefix = len(digits), int(digits[:4])
    if digits[0] == "4":
        return length in (13, 16, 19)
    if digits[:2] in ("34", "37"):
        return length == 15
    if 5100 <= prefix <= 5599 or 2221 <= prefix <= 2720:
        return length == 16
    if digits[:2] in ("30", "36", "38", "39"):
        return 14 <= length <= 19
    if digits[0] in "56":
        return 12 <= length <= 19
    return digits[:2] == "35" and 16 <= length <= 19


@lru_cache(maxsize=1)
def _iban_lengths() -> dict[str, int]:
    """Each country's IBAN length, from python-stdnum's registry (ISO 13616)."""
    lengths = {}
    for line in (Path(stdnum.__file__).parent / "iban.dat").read_text().splitlines():
        country = re.match(r"([A-Z]{2}) .*bban=\"([^\"]+)\"", line)
        if country:
            lengths[country.group(1)] = 4 + sum(int(n) for n in re.findall(r"(\d+)!", country.group(2)))
    return lengths


def _ibans(text: str):
    position = 0
    while match := _IBAN.search(text, position):
        # The run may go on into following words: walk it to the country's length
        # (separators do not count) and check that. A failed candidate may hide a real
        # one further on in the same run: search again from the next character.
        value, length = match.group(), _iban_lengths().get(match.group()[:2].upper(), 0)
        end = _end_after_characters(value, length)
        if end and value[:end].count("\n") <= 1 and iban.is_valid(re.sub(r"\s", "", value[:end])):
            yield Detection(match.start(), match.start() + end, "iban", "iban-checksum")
            position = match.start() + end
        else:
            position = match.start() + 1


def _end_after_characters(value: str, length: int) -> int:
    """Where the ``length``-th letter or digit of ``value`` ends (0: never)."""
    seen = 0
    for end, char in enumerate(value, 1):
        seen += char.isalnum()
        if seen == length:
            return end
    return 0


def _personnummer(text: str):
    for match in _PERSONNUMMER.finditer(text):
        value = re.sub(r"([-+]?)\n[ \t>]*([-+]?)", lambda m: m[1] or m[2] or "-", match.group())
        value = value.replace(" ", "-")
        if personnummer.is_valid(value) or _coordination_number(value):
            yield Detection(match.start(), match.end(), "personnummer", "personnummer-checksum")


def _coordination_number(value: str) -> bool:
    """A samordningsnummer: a personnummer whose day has 60 added (python-stdnum
    checks personnummer only)."""
    digits = re.sub(r"\D", "", value)
    if len(digits) not in (10, 12) or not luhn.is_valid(digits[-10:]):
        return False
    year, month, day = int(digits[-10:-8]), int(digits[-8:-6]), int(digits[-6:-4]) - 60
    try:  # the century is not written in ten digits: any year will do for the date (29 February)
        datetime.date(2000 + year if year % 4 == 0 else 2001, month, day)
    except ValueError:
        return False
    return True


def _organisation_numbers(text: str):
    """Company ids, found only so that nothing else masks them: they are not personal data."""
    for match in _ORGANISATION_NUMBER.finditer(text):
        digits = re.sub(r"\D", "", match.group())[-10:]
        # The first digit is the legal form (1-9): a number starting with 0 is a phone number.
        if digits[0] != "0" and digits[2] >= "2" and orgnr.is_valid(digits):
            yield Detection(match.start(), match.end(), KEEP, "organisation-number")


# The markets the support desk hears from. A number written with its country code
# needs only to be possible there (fictional ranges are not "valid"); one written
# nationally is read by each market's own rules (phonenumbers' metadata): with the
# trunk prefix where the country dials one, grouped as that country groups them, or
# after a word that says a phone number follows.
_MARKETS = ("SE", "NO", "DK", "FI", "DE", "GB", "NL", "US")
# A word earlier on the same line that says a phone number follows ("ring mig på",
# "my number is", "SMS | to"; never a mask's own "[phone]") with no other number or
# mask between them, unless the word just before the number names it as something else
# ("order number 41234567").
_PHONE_WORDS = re.compile(
    r"(?:(?<!\[)\b(?:tel|tfn|tlf|telefon|telephone|phone|ph|mob|mobil|mobile|mobilnr|mobilnummer|cell|handy|"
    r"ring|ringde|ringer|ringa|call|called|calls|sms|text|whatsapp|signal|fax|växel|vxl|direkt|direct|"
    r"reach|nå|nummer|numret|number|nummeret|telefonnummer|nr)\b|☎|📞)[^\n\d\[]*\Z",
    re.IGNORECASE,
)
# A date, with the hour of a timestamp that may follow it: never a phone number.
_DATE_SHAPE = re.compile(
    r"(?:19|20)\d{2}([-./])\d{1,2}\1\d{1,2}(?:[ T]\d{1,2})?|\d{1,2}([-./])\d{1,2}\2(?:19|20)?\d{2}"
)
# Shaped like a personnummer or an organisation number (six or eight digits, a dash,
# four): written that way, a number is an id even when its check digit is wrong.
_NOT_A_PHONE = re.compile(rf"(?:{_DATE_SHAPE.pattern})|(?:\d{{2}})?\d{{6}}[-+]\d{{4}}")
_NAMED_AS_ID = re.compile(
    r"\b(?:order|orders|invoice|ticket|case|ärende|ordernummer|faktura|fakturanummer|kund|kundnummer|customer|"
    r"account|konto|org|orgnr|organisation|organization|ref|reference|referens|id|ocr|bankgiro|plusgiro|"
    r"tracking|sändning|booking|bokning|serial|version)\b[^\w\n]*(?:(?:nr|no|number|nummer|#)\b[^\w\n]*)?\Z",
    re.IGNORECASE,
)


def _phones(text: str, candidates, covered=()):
    """Candidates found by a cheap pattern, confirmed by phonenumbers (which
    is too slow to scan a whole long message itself). Runs already found to be
    something else (an IP address, a card number...) are not looked at again."""
    covered_spans = _spans_index(covered)
    columns = _phone_columns(text) if "\t" in text or ";" in text or "," in text else ([], [])
    for candidate in candidates:
        runs = _with_line_parts(candidate)
        found = [_numbers_at(text, start, end, covered_spans, columns) for start, end in runs]
        whole, parts = found[0], [number for numbers in found[1:] for number in numbers]
        # A run that goes on over a line break: the number on each line (a log line's number,
        # the next line's timestamp) unless the whole run holds a number that takes in what
        # the lines hold (a number wrapped onto the next line).
        if parts and not all(any(a <= c and d <= b for a, b in whole) for c, d in parts):
            whole = parts
        for start, end in whole:
            yield Detection(start, end, "phone", "phonenumbers")


def _numbers_at(text: str, start: int, end: int, covered_spans, columns) -> list[tuple[int, int]]:
    window, offset = text[start:end].replace("\n", " "), start
    # "(0161 496 0074)", "(+46 (0)70…)": a bracket opened before the number and closed
    # after the run is not part of it.
    if window.startswith("(") and window.count("(") > window.count(")"):
        window, offset = window[1:], offset + 1
    if sum(c.isdigit() for c in window) < 7 or _NOT_A_PHONE.fullmatch(window.strip()):
        return []
    if _inside(covered_spans, offset, offset + len(window)):
        return []
    # Glued to letters ("CS-2024-1418", "INC004512"): part of a code, not a number of its own.
    if (
        offset
        and window[0] != "+"
        and (text[offset - 1].isalpha() or text[offset - 2 : offset].rstrip("-").isalpha())
    ):
        return []
    announced = _inside(columns, offset, offset + len(window)) or (
        bool(_PHONE_WORDS.search(text, max(0, offset - 40), offset))
        and not _NAMED_AS_ID.search(text, max(0, offset - 40), offset)
    )
    return [(offset + a, offset + b) for a, b in _numbers_in(window, announced)]


_CELL_SEPARATORS = ("\t", ";", ",")
_PHONE_HEADER = re.compile(
    r"\s*(?:tel|tfn|tlf|telefon|telephone|phone|phone number|mobil|mobile|mobilnummer|mobiltelefon|cell|"
    r"handy|telefonnummer|mobilnr|sms)\.?\s*",
    re.IGNORECASE,
)


def _phone_columns(text: str) -> tuple[list[int], list[int]]:
    """The cells of a pasted table (tab, semicolon or comma separated) under a
    header that says they hold phone numbers: every number in them is announced."""
    cells = []
    lines = text.split("\n")
    position, header = 0, None  # header: (separator, column index, number of cells)
    for line in lines:
        if header:
            separator, column, count = header
            parts = line.split(separator)
            if len(parts) == count:
                cell_start = position + sum(len(part) + 1 for part in parts[:column])
                cells.append(Detection(cell_start, cell_start + len(parts[column]), KEEP, "phone-column"))
            else:
                header = None
        if not header:
            for separator in _CELL_SEPARATORS:
                parts = line.split(separator)
                if len(parts) >= 3:
                    column = next((i for i, part in enumerate(parts) if _PHONE_HEADER.fullmatch(part)), None)
                    if column is not None:
                        header = (separator, column, len(parts))
                        break
        position += len(line) + 1
    return _spans_index(cells)


def _spans_index(detections) -> tuple[list[int], list[int]]:
    """Starts in order, and the furthest end reached by any span starting at or
    before each: whether a run lies inside one is then one bisection."""
    starts, furthest, reach = [], [], -1
    for detection in sorted(detections, key=lambda d: d.start):
        reach = max(reach, detection.end)
        starts.append(detection.start)
        furthest.append(reach)
    return starts, furthest


def _inside(index, start: int, end: int) -> bool:
    starts, furthest = index
    i = bisect.bisect_right(starts, start)
    return bool(i) and furthest[i - 1] >= end


def _numbers_in(window: str, announced: bool) -> list[tuple[int, int]]:
    start = window.lstrip("(")
    if start.startswith(("+", "00")):
        international = [
            (found.start, found.end)
            for found in phonenumbers.PhoneNumberMatcher(
                window, "SE", leniency=phonenumbers.Leniency.POSSIBLE
            )
            if found.raw_string.lstrip("(").startswith(("+", "00"))
        ]
        if international:
            return international
    for region in _regions_for(start, window, announced):
        found = [
            (match.start, match.end)
            for match in phonenumbers.PhoneNumberMatcher(
                window, region, leniency=phonenumbers.Leniency.POSSIBLE
            )
            if _written_as_national(match, region, announced)
        ]
        if found:
            return found
    return []


def _regions_for(start: str, window: str, announced: bool) -> tuple[str, ...]:
    """Only the markets whose way of writing a number the window could be in."""
    if start.startswith("0"):
        return tuple(r for r in _MARKETS if _trunk_prefix(r) == "0")
    regions = tuple(r for r in _MARKETS if not _trunk_prefix(r) or r == "US")
    if announced or _grouped(window):
        return regions
    return ("US",) if _US_SHAPE.search(window) else ()


_US_SHAPE = re.compile(r"(?:1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}")
_GROUPS = re.compile(r"\d+")


@cache
def _trunk_prefix(region: str) -> str:
    return phonenumbers.PhoneMetadata.metadata_for_region(region).national_prefix or ""


def _grouped(raw: str) -> bool:
    """Written in groups of two or three digits ("412 34 567", "12 34 56 78"), as
    phone numbers are and order numbers and dates ("2025-06-18") are not."""
    groups = _GROUPS.findall(raw)
    return len(groups) >= 3 and all(2 <= len(g) <= 3 for g in groups)


def _grouped_as_national(raw: str, number) -> bool:
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return _GROUPS.findall(raw) == _GROUPS.findall(national)


def _written_as_national(match, region: str, announced: bool) -> bool:
    """Without a country code, only what is written like a phone number there:
    the trunk prefix where the country has one (dates, order and organisation
    numbers do not start with it), the 3-3-4 grouping in North America, the
    country's own grouping or an announcing word where there is no trunk prefix."""
    raw, number = match.raw_string, match.number
    digits = sum(c.isdigit() for c in raw)
    if region == "US":
        return (bool(_US_SHAPE.fullmatch(raw)) or announced) and phonenumbers.is_valid_number(number)
    if _trunk_prefix(region):
        # Eight digits after a trunk 0 are also how bank giro numbers look ("0735-2738"): those
        # only when announced or grouped the way the country groups its numbers ("08-12 34 56").
        return raw.lstrip("(").startswith(_trunk_prefix(region)) and (
            digits >= 9
            or (phonenumbers.is_valid_number(number) and (announced or _grouped_as_national(raw, number)))
        )
    return phonenumbers.is_valid_number(number) and (announced or _grouped(raw))


# --- People ------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_GAP = re.compile(r"[\s\u00a0]+")  # between the parts of a name: any spacing, a line break too
_COMMA_GAP = re.compile(r",[ \t\u00a0]*")


@lru_cache(maxsize=1024)
def _name_table(names: tuple[str, ...], short_parts_need_capital: bool) -> dict[str, list[tuple]]:
    """What to look for, by the first word it starts with (as ``\\w+`` splits
    words): each full name, its parts of two letters or more split by any
    spacing, and each part of three letters or more alone; longest first, as a
    full name beats its parts. Case is ignored, except that a member's short
    part alone ("Per", "Dag": also ordinary words) must be written as in the
    name. Built without a regular expression: compiling one per reporter and
    organisation cost more than the rest of the engine."""
    wanted = set()
    for name in names:
        parts = [part for part in name.split() if len(part) >= 2]
        if parts:
            wanted.add((tuple(parts), False))
        if len(parts) >= 2:  # "Persson, Ulf": the family name first, as lists and forms put it
            wanted.add(((parts[-1], ",", *parts[:-1]), False))
        for part in parts:
            if len(part) >= 3:
                wanted.add(((part,), short_parts_need_capital and len(part) <= 3))
    table: dict[str, list[tuple]] = {}
    for parts, exact in wanted:
        words, joins = [], []  # joins: between one word and the next (None: any spacing)
        for i, part in enumerate(parts):
            if part == ",":
                continue
            pieces, separators = _WORD.findall(part), _WORD.split(part)
            if not pieces:
                break
            if i:
                joins.append("," if parts[i - 1] == "," else None)
            words += pieces
            joins += separators[1:-1]  # "Anna-Karin", "O'Brien": the hyphen or apostrophe as written
        else:
            key = words[0] if exact else words[0].casefold()
            table.setdefault(key.casefold(), []).append((tuple(words), tuple(joins), exact))
    for options in table.values():
        options.sort(key=lambda option: -sum(map(len, option[0])))
    return table


def _name_matches(text: str, names, words, *, short_parts_need_capital: bool):
    """(start, end) of each name found: looked up by the word it starts with,
    then compared word by word; the last word may carry the Swedish genitive s
    ("Annas"), which stays unmasked, as does an English possessive ('s)."""
    table = _name_table(tuple(names), short_parts_need_capital)
    if not table:
        return
    folded = [word.group().casefold() for word in words]
    # Only the words that begin a name (or its genitive) are looked at again.
    starting = [
        i for i, token in enumerate(folded) if token in table or (token[:-1] in table and token[-1:] == "s")
    ]
    position = 0
    for index in starting:
        word = words[index]
        if word.start() < position:
            continue
        token = folded[index]
        options = table.get(token, []) + (table.get(token[:-1], []) if token.endswith("s") else [])
        for wanted, joins, exact in options:
            end = _match_words(text, words, index, wanted, joins, exact)
            if end:
                position = end
                yield word.start(), end
                break


def _match_words(text: str, words, index: int, wanted, joins, exact: bool) -> int:
    """Where the name ends if ``words[index:]`` spell it, else 0."""
    if index + len(wanted) > len(words):
        return 0
    for offset, part in enumerate(wanted):
        word = words[index + offset]
        written = word.group()
        last = offset == len(wanted) - 1
        fold = (lambda value: value) if exact else str.casefold
        same = fold(written) == fold(part)
        if not same and not (last and fold(written) == fold(part) + "s"):
            return 0
        if not last:
            gap = text[word.end() : words[index + offset + 1].start()]
            join = joins[offset]
            if join is None:
                joined = _GAP.fullmatch(gap)
            elif join == ",":
                joined = _COMMA_GAP.fullmatch(gap)
            else:
                joined = gap == join
            if not joined:
                return 0
        else:
            return word.end() if same else word.end() - 1
    return 0


def _reporter(text: str, reporter: Identity, words=None, candidates=None):
    """The reporter's own identifiers, whatever the case or spacing."""
    if reporter.email:
        for match in re.finditer(re.escape(reporter.email.strip()), text, re.IGNORECASE):
            yield Detection(match.start(), match.end(), "email", "reporter-email")
    # The name before the username: a username that is also a part of the name ("alice") is the name.
    if reporter.name:
        words = list(_WORD.finditer(text)) if words is None else words
        for start, end in _name_matches(text, [reporter.name], words, short_parts_need_capital=False):
            yield Detection(start, end, "name", "reporter-name")
    if reporter.username and len(reporter.username) >= 3:
        for match in _username_pattern(reporter.username).finditer(text):
            yield Detection(match.start(), match.end(), "username", "reporter-username")
    if reporter.phone:
        yield from _own_number(text, reporter.phone, candidates)


@lru_cache(maxsize=1024)
def _username_pattern(username: str) -> re.Pattern:
    return re.compile(r"(?<![\w.])" + re.escape(username) + r"(?![\w])", re.IGNORECASE)


_NON_DIGITS = re.compile(r"\D")


@lru_cache(maxsize=1024)
def _own_number_spellings(profile_phone: str) -> tuple[str, ...]:
    """The digits of every way of writing the profile's number, longest first:
    its national significant number alone, after the trunk prefix, after the
    country code (with "00", or with the trunk prefix kept, "+46 (0)70…")."""
    number = _parse_profile_phone(profile_phone)
    if number is None:
        return ()
    national = phonenumbers.national_significant_number(number)
    country = str(number.country_code)
    region = phonenumbers.region_code_for_number(number)
    trunk = _trunk_prefix(region) if region in _MARKETS else "0"
    spellings = {national, trunk + national}
    for international in (country + national, country + trunk + national):
        spellings |= {international, "00" + international}
    return tuple(sorted(spellings, key=len, reverse=True))


def _own_number(text: str, profile_phone: str, candidates=None):
    """The profile's number in any spelling, found in the runs of digits the
    phone detector looks at (any separators, one line break): its digits in a
    row, never cut out of a longer group of digits."""
    spellings = _own_number_spellings(profile_phone)
    if not spellings:
        return
    tail = spellings[-1][-6:]  # every spelling ends with the number's last digits: a cheap test first
    for candidate in _PHONE_CANDIDATE.finditer(text) if candidates is None else candidates:
        run = candidate.group()
        if tail not in _NON_DIGITS.sub("", run):
            continue
        positions = [i for i, char in enumerate(run) if char.isdigit()]
        digits = "".join(run[i] for i in positions)
        for spelling in spellings:
            k = digits.find(spelling)
            while k != -1:
                first, last = positions[k], positions[k + len(spelling) - 1]
                alone_before = k == 0 or positions[k - 1] < first - 1
                alone_after = k + len(spelling) == len(digits) or positions[k + len(spelling)] > last + 1
                if alone_before and alone_after:
                    # "+46…" takes its plus; "(0)70…" the bracket that opens the trunk prefix.
                    if first and (run[first - 1] == "+" or run[first - 1 : first + 2] == "(0)"):
                        first -= 1
                    yield Detection(
                        candidate.start() + first, candidate.start() + last + 1, "phone", "reporter-phone"
                    )
                    break
                k = digits.find(spelling, k + 1)
            else:
                continue
            break


def _parse_profile_phone(raw: str):
    raw = re.sub(r"\s+", " ", raw).strip().replace("(0)", "")
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    for region in (None,) if raw.startswith("+") else _MARKETS:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return number
    return None


def _members(text: str, member_names, words):
    for start, end in _name_matches(text, member_names, words, short_parts_need_capital=True):
        yield Detection(start, end, "name", "member-name")


# --- Engine ------------------------------------------------------------------------


def detect(text: str, *, reporter: Identity | None = None, member_names=()) -> list[Detection]:
    """Everything identifying in ``text``, in order, without overlaps."""
    found = [
        *_emails(text),
        *_urls(text),
        *_ips(text),
        *_ibans(text),
        *_cards(text),
        *_organisation_numbers(text),
        *_personnummer(text),
    ]
    # Runs of digits for both phone detectors, words for both name detectors: found once.
    candidates = list(_PHONE_CANDIDATE.finditer(text))
    words = list(_WORD.finditer(text)) if member_names or (reporter and reporter.name) else []
    found += [
        *_phones(text, candidates, covered=found),
        *(_reporter(text, reporter, words, candidates) if reporter else ()),
        *_members(text, member_names, words),
    ]
    return [d for d in _without_overlaps(found) if d.kind != KEEP]


def _without_overlaps(found: list[Detection]) -> list[Detection]:
    # Longest first: an address holding a username is one email address; ties go to the
    # earlier detector (a checksum beats "could be a phone number").
    order = {id(d): i for i, d in enumerate(found)}
    kept: list[Detection] = []  # non-overlapping, by start
    starts: list[int] = []
    for detection in sorted(found, key=lambda d: (d.start - d.end, order[id(d)])):
        i = bisect.bisect_left(starts, detection.start)
        if (i and kept[i - 1].end > detection.start) or (i < len(kept) and kept[i].start < detection.end):
            continue
        kept.insert(i, detection)
        starts.insert(i, detection.start)
    return kept


def mask_person(text: str, *, person: Identity) -> str:
    """``text`` with one person's identifiers masked and nothing else: what
    erasure does to a text kept for someone else that names the person."""
    return apply_masks(text, _without_overlaps(list(_reporter(text, person))))


def apply_masks(text: str, detections, tags=None) -> str:
    """The text with each detection replaced by ``[kind]``, or by its tag
    (``tags``: detection → "[name 1]") where one is given."""
    pieces, position = [], 0
    for detection in sorted(detections, key=lambda d: d.start):
        tag = tags.get(detection) if tags else None
        pieces += [text[position : detection.start], tag or f"[{detection.kind}]"]
        position = detection.end
    pieces.append(text[position:])
    return "".join(pieces)


def value_key(text: str, detection: Detection, *, reporter: Identity | None = None, member_names=()) -> str:
    """What a detection stands for, the same however it was written: one key
    for "Anna Lind", "ANNA" and "Annas" when they are the reporter or one
    member, for an address in any case or broken across a line, for a phone
    number in any spelling. Stable pseudonyms are built on it."""
    found = text[detection.start : detection.end]
    compact = re.sub(r"\s+", " ", found).strip().casefold()
    kind = detection.kind
    if detection.rule == "reporter-name":
        return "name:reporter"
    if kind == "name":
        words = compact.replace(",", " ").split()  # "Persson, Ulf" is Ulf Persson
        owners = {
            name.casefold()
            for name in member_names
            if sorted(words) == sorted(name.casefold().split())
            or (len(words) == 1 and words[0] in name.casefold().split())
        }
        return f"name:member:{owners.pop()}" if len(owners) == 1 else f"name:{compact}"
    if kind == "phone":
        own = (
            reporter
            and reporter.phone
            and any((d.start, d.end) == (0, len(found)) for d in _own_number(found, reporter.phone))
        )
        number = _parse_profile_phone(reporter.phone if own else found)
        if number is not None:
            return "phone:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return "phone:" + re.sub(r"\D", "", found)
    if kind == "email":
        return "email:" + re.sub(r"\s+|>", "", found).casefold()
    if kind in ("card", "iban", "personnummer"):
        alnum = re.sub(r"[^0-9A-Za-z]", "", found).upper()
        return f"{kind}:{alnum[-10:] if kind == 'personnummer' else alnum}"
    if kind == "ip":
        try:
            return "ip:" + str(ipaddress.ip_address(found.split("%")[0]))
        except ValueError:
            pass
    return f"{kind}:{compact}"


def redaction_report(detections) -> list[dict]:
    """Counts per kind and rule; never the masked values."""
    counts: dict[tuple[str, str], int] = {}
    for detection in detections:
        counts[(detection.kind, detection.rule)] = counts.get((detection.kind, detection.rule), 0) + 1
    return [{"kind": kind, "rule": rule, "count": n} for (kind, rule), n in sorted(counts.items())]


def leaks(text: str, *, reporter: Identity | None = None) -> list[Detection]:
    """What a text about to be shared must not contain: any email address or
    phone number, and any of the reporter's own identifiers (fail closed)."""
    candidates = list(_PHONE_CANDIDATE.finditer(text))
    found = [
        *_emails(text),
        # What detect() keeps readable (an organisation number) is not a phone number here either.
        *_phones(text, candidates, covered=list(_organisation_numbers(text))),
        *(_reporter(text, reporter, candidates=candidates) if reporter else ()),
    ]
    return sorted(found, key=lambda d: d.start)
