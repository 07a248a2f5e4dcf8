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
import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

import phonenumbers
from stdnum import iban, luhn
from stdnum.se import personnummer

KINDS = ("email", "phone", "ip", "url", "card", "iban", "personnummer", "name", "username")


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

_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)
_URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'\""
# Query parameters whose value identifies a person, a session or a secret.
_URL_SECRET_KEYS = re.compile(
    r"(token|key|secret|session|sid|auth|code|sig|signature|pass|pwd|uid|user|email|mail|id|account|ref|hash"
    r"|invite|ticket|reset|verify|confirm)",
    re.IGNORECASE,
)
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]*\d)")
_IPV6 = re.compile(
    r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4})(?:%\w+)?(?![\w:]|\.\d)"
)
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")
_PERSONNUMMER = re.compile(r"(?<![\d-])(?:\d{2})?\d{6}[-+ ]?\d{4}(?![\d-])")
# A run of digits with the separators phone numbers are written with (one
# line break allowed: numbers get split across lines); phonenumbers decides.
_PHONE_CANDIDATE = re.compile(r"(?:\+|\(\+?)?\d[\d \t().\-/]*(?:\n[\d \t().\-/]*)?\d")


_AT = re.compile("@")
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
_DOMAIN_PART = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _emails(text: str):
    """Found from each "@" outwards (scanning the whole text with the full
    address pattern cost more than all the other detectors together)."""
    for at in _AT.finditer(text):
        position = at.start()
        local = _LOCAL_PART.search(text, max(0, position - 64), position)
        domain = _DOMAIN_PART.match(text, position + 1)
        if local is None or domain is None:
            continue
        start = local.start()
        while start < position and text[start] == ".":  # a sentence's full stop is not part of the address
            start += 1
        if start < position and _EMAIL.fullmatch(text, start, domain.end()):
            yield Detection(start, domain.end(), "email", "email-address")


def _urls(text: str):
    """URLs whose query (or fragment) carries what looks like a token or an id.
    A plain link to a help page is not identifying and stays."""
    for match in _URL.finditer(text):
        url = match.group().rstrip(_URL_TRAILING)
        parts = urlsplit(url)
        params = parse_qsl(parts.query, keep_blank_values=True) + parse_qsl(parts.fragment)
        if any(_URL_SECRET_KEYS.search(key) or _looks_like_id(value) for key, value in params):
            yield Detection(match.start(), match.start() + len(url), "url", "url-with-token")


def _looks_like_id(value: str) -> bool:
    """A random-looking value: letters and digits mixed, 8 characters or more."""
    return (
        len(value) >= 8
        and bool(re.fullmatch(r"[A-Za-z0-9_\-.=]+", value))
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
    )


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
        digits = re.sub(r"\D", "", match.group())
        if _card_shape(digits) and luhn.is_valid(digits):
            yield Detection(match.start(), match.end(), "card", "card-luhn")


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


def _ibans(text: str):
    for match in _IBAN.finditer(text):
        # The pattern may run on into a following code or word: try the longest
        # prefix that ends at a group boundary first.
        value = match.group()
        ends = [len(value)] + [i for i in range(len(value) - 1, 14, -1) if value[i] == " "]
        for end in ends:
            if iban.is_valid(value[:end]):
                yield Detection(match.start(), match.start() + end, "iban", "iban-checksum")
                break


def _personnummer(text: str):
    for match in _PERSONNUMMER.finditer(text):
        value = match.group().replace(" ", "-")
        if personnummer.is_valid(value):
            yield Detection(match.start(), match.end(), "personnummer", "personnummer-checksum")


# National formats are read as Swedish first, then British and North American
# (the support team's other markets); a number written with its country code
# needs only to be a possible number there (fictional ranges are not "valid").
_NATIONAL_REGIONS = ("SE", "GB", "US")


def _phones(text: str, candidates, covered=()):
    """Candidates found by a cheap pattern, confirmed by phonenumbers (which
    is too slow to scan a whole long message itself). Runs already found to be
    something else (an IP address, a card number...) are not looked at again."""
    for candidate in candidates:
        window, offset = candidate.group().replace("\n", " "), candidate.start()
        if window.startswith("(") and ")" not in window:  # "(0161 496 0074)": the ")" is not in the run
            window, offset = window[1:], offset + 1
        if sum(c.isdigit() for c in window) < 7:
            continue
        if any(d.start <= offset and offset + len(window) <= d.end for d in covered):
            continue
        for start, end in _numbers_in(window):
            yield Detection(offset + start, offset + end, "phone", "phonenumbers")


def _numbers_in(window: str) -> list[tuple[int, int]]:
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
    # Only the regions whose way of writing a number the window could be in.
    regions = ("SE", "GB") if start.startswith("0") else ()
    if _US_SHAPE.search(window):
        regions += ("US",)
    for region in regions:
        found = [
            (match.start, match.end)
            for match in phonenumbers.PhoneNumberMatcher(
                window, region, leniency=phonenumbers.Leniency.POSSIBLE
            )
            if _national_number_shape(match, region)
        ]
        if found:
            return found
    return []


_US_SHAPE = re.compile(r"(?:1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}")


def _national_number_shape(match, region: str) -> bool:
    """Without a country code, only what is written like a phone number there:
    a trunk 0 in Sweden and Britain (dates, order and organisation numbers do
    not start with one), the 3-3-4 grouping in North America."""
    raw = match.raw_string
    if region == "US":
        return bool(_US_SHAPE.fullmatch(raw)) and phonenumbers.is_valid_number(match.number)
    return raw.lstrip("(").startswith("0") and sum(c.isdigit() for c in raw) >= 9


# --- People ------------------------------------------------------------------------

_GAP = r"[\s\u00a0]+"  # between the parts of a name: any spacing, a line break too


@lru_cache(maxsize=256)
def _names_pattern(names: tuple[str, ...], *, short_parts_need_capital: bool) -> re.Pattern | None:
    """One pattern for all these names (one scan of the text, not one per
    name): each full name (parts split by any spacing, a line break too) and
    each part of three letters or more alone, followed by nothing or a
    possessive ('s, ’s, or the Swedish genitive s, which stays unmasked).
    Case is ignored, except that a member's short part alone ("Per", "Dag":
    also ordinary words) must be capitalised."""
    alternatives = set()
    for name in names:
        parts = [part for part in re.split(r"\s+", name.strip()) if len(part) >= 2]
        if parts:
            alternatives.add(_GAP.join(map(re.escape, parts)))
        for part in parts:
            if len(part) >= 3:
                short = short_parts_need_capital and len(part) <= 3
                alternatives.add(f"(?-i:{re.escape(part)})" if short else re.escape(part))
    if not alternatives:
        return None
    # Longest first: the alternation takes the first that matches, and a full name beats its parts.
    body = "|".join(sorted(alternatives, key=len, reverse=True))
    return re.compile(rf"\b(?:{body})(?=(?:['’]s|s)?\b)", re.IGNORECASE)


_WORD = re.compile(r"\w+")


def _name_matches(text: str, names, words, *, short_parts_need_capital: bool):
    """Matches of the names' pattern, tried only where a word starts that
    begins one of the names (a set lookup per word instead of a long
    alternation tried at every word)."""
    names = tuple(names)
    pattern = _names_pattern(names, short_parts_need_capital=short_parts_need_capital)
    if pattern is None:
        return
    first_words = _first_words(names)
    position = 0
    for word in words:
        if word.start() < position:
            continue
        token = word.group().casefold()
        # "Annas": the Swedish genitive is one word with the name.
        if token not in first_words and token[:-1] not in first_words:
            continue
        match = pattern.match(text, word.start())
        if match:
            position = match.end()
            yield match


@lru_cache(maxsize=256)
def _first_words(names: tuple[str, ...]) -> frozenset[str]:
    """The first word (as ``\\w+`` splits it) of each name and of each of its parts."""
    words = set()
    for name in names:
        for part in re.split(r"\s+", name.strip()):
            first = _WORD.match(part)
            if first:
                words.add(first.group().casefold())
    return frozenset(words)


def _reporter(text: str, reporter: Identity, candidates=None, words=None):
    """The reporter's own identifiers, whatever the case or spacing."""
    if reporter.email:
        for match in re.finditer(re.escape(reporter.email.strip()), text, re.IGNORECASE):
            yield Detection(match.start(), match.end(), "email", "reporter-email")
    if reporter.username and len(reporter.username) >= 3:
        pattern = re.compile(r"(?<![\w.])" + re.escape(reporter.username) + r"(?![\w])", re.IGNORECASE)
        for match in pattern.finditer(text):
            yield Detection(match.start(), match.end(), "username", "reporter-username")
    if reporter.name:
        words = list(_WORD.finditer(text)) if words is None else words
        for match in _name_matches(text, [reporter.name], words, short_parts_need_capital=False):
            yield Detection(match.start(), match.end(), "name", "reporter-name")
    if reporter.phone:
        # The profile's number may lack its country code: read it (and what the
        # text says) as Swedish, British and North American, and compare.
        wanted = _phone_keys(reporter.phone)
        # Every spelling of the number ends with its last seven digits: a cheap test first.
        tail = re.sub(r"\D", "", reporter.phone)[-7:]
        if candidates is None:
            candidates = list(_PHONE_CANDIDATE.finditer(text))
        for candidate in candidates if wanted else ():
            if re.sub(r"\D", "", candidate.group()).endswith(tail) and wanted & _phone_keys(
                candidate.group()
            ):
                yield Detection(candidate.start(), candidate.end(), "phone", "reporter-phone")


def _phone_keys(raw: str) -> set[str]:
    return {key for region in _NATIONAL_REGIONS if (key := _phone_key(raw, region))}


def _phone_key(raw: str, region: str) -> str | None:
    # "+44 (0)7700 900481": the trunk 0 in brackets is not dialled from abroad.
    raw = re.sub(r"\s+", " ", raw).replace("(0)", "")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _members(text: str, member_names, words):
    for match in _name_matches(text, member_names, words, short_parts_need_capital=True):
        yield Detection(match.start(), match.end(), "name", "member-name")


# --- Engine ------------------------------------------------------------------------


def detect(text: str, *, reporter: Identity | None = None, member_names=()) -> list[Detection]:
    """Everything identifying in ``text``, in order, without overlaps."""
    found = [*_emails(text), *_urls(text), *_ips(text), *_ibans(text), *_cards(text), *_personnummer(text)]
    # Runs of digits for both phone detectors, words for both name detectors: found once.
    candidates = list(_PHONE_CANDIDATE.finditer(text))
    words = list(_WORD.finditer(text)) if member_names or (reporter and reporter.name) else []
    found += [
        *_phones(text, candidates, covered=found),
        *(_reporter(text, reporter, candidates, words) if reporter else ()),
        *_members(text, member_names, words),
    ]
    return _without_overlaps(found)


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


def apply_masks(text: str, detections) -> str:
    """The text with each detection replaced by ``[kind]``."""
    pieces, position = [], 0
    for detection in sorted(detections, key=lambda d: d.start):
        pieces += [text[position : detection.start], f"[{detection.kind}]"]
        position = detection.end
    pieces.append(text[position:])
    return "".join(pieces)


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
        *_phones(text, candidates),
        *(_reporter(text, reporter, candidates) if reporter else ()),
    ]
    return sorted(found, key=lambda d: d.start)
