"""Generator for the *blind* labelled masking corpus.

Written from ``masking_corpus/blind/LABELS.md`` alone: the author of this file never read
the masking engine, its tests or the other corpus.  Run from the project root::

    python -m masking_corpus.blind.generate

Everything is deterministic (fixed seed).  Each message is assembled from pieces; spans and
distractors are recorded while the text is appended, so every offset is computed, never
typed.  Checksums (Luhn, ISO 13616 mod-97) are computed here; python-stdnum is only used, when
installed, to double-check them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
from datetime import datetime, timedelta
from pathlib import Path

SEED = 730_615
N_MESSAGES = 340

# ---------------------------------------------------------------------------
# checksums
# ---------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_digit(partial: str) -> str:
    for d in "0123456789":
        if luhn_ok(partial + d):
            return d
    raise AssertionError


def iban_mod97(s: str) -> int:
    s = s.replace(" ", "").upper()
    r = s[4:] + s[:4]
    num = "".join(str(int(ch, 36)) for ch in r)
    return int(num) % 97


def iban_make(cc: str, bban: str) -> str:
    r = bban + cc + "00"
    num = "".join(str(int(ch, 36)) for ch in r)
    cd = 98 - int(num) % 97
    return f"{cc}{cd:02d}{bban}"


def no_mod11(d10: str) -> int | None:
    w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    s = sum(int(a) * b for a, b in zip(d10, w))
    c = 11 - s % 11
    if c == 11:
        return 0
    if c == 10:
        return None
    return c


FOLD = str.maketrans(
    {
        "å": "a",
        "ä": "a",
        "ö": "o",
        "ø": "o",
        "æ": "ae",
        "ü": "u",
        "é": "e",
        "ß": "ss",
        "Å": "A",
        "Ä": "A",
        "Ö": "O",
        "Ø": "O",
        "Æ": "AE",
        "Ü": "U",
    }
)


def fold(s: str) -> str:
    return s.translate(FOLD)


# ---------------------------------------------------------------------------
# tokens and the message builder
# ---------------------------------------------------------------------------


class Tok:
    __slots__ = ("kind", "text", "is_span")

    def __init__(self, kind, text, is_span):
        self.kind, self.text, self.is_span = kind, text, is_span

    def __repr__(self):
        return f"{'S' if self.is_span else 'D'}({self.kind!r}, {self.text!r})"


def S(kind: str, text: str) -> Tok:
    return Tok(kind, text, True)


def D(sort: str, text: str) -> Tok:
    return Tok(sort, text, False)


def flatten(items):
    for it in items:
        if it is None:
            continue
        if isinstance(it, (list, tuple)):
            yield from flatten(it)
        else:
            yield it


class Builder:
    def __init__(self):
        self.parts: list[str] = []
        self.n = 0
        self.spans: list[dict] = []
        self.dis: list[dict] = []

    def add(self, *items):
        for it in flatten(items):
            if isinstance(it, str):
                self.parts.append(it)
                self.n += len(it)
            elif isinstance(it, Tok):
                st = self.n
                self.parts.append(it.text)
                self.n += len(it.text)
                if it.is_span:
                    self.spans.append({"start": st, "end": self.n, "kind": it.kind, "text": it.text})
                else:
                    self.dis.append({"start": st, "end": self.n, "sort": it.kind, "text": it.text})
            else:
                raise TypeError(it)
        return self

    @property
    def text(self):
        return "".join(self.parts)


PH = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def fmt(tpl: str, kw: dict) -> list:
    out, pos, cache = [], 0, {}
    for m in PH.finditer(tpl):
        out.append(tpl[pos : m.start()])
        name = m.group(1)
        if name not in cache:
            v = kw[name]
            cache[name] = v() if callable(v) else v
        out.append(cache[name])
        pos = m.end()
    out.append(tpl[pos:])
    return out


def prefix_lines(tokens, prefix="> "):
    """Put ``prefix`` at the start of every line of a token list (quoted replies)."""
    out = [prefix]
    for it in flatten(tokens):
        if isinstance(it, str):
            out.append(it.replace("\n", "\n" + prefix))
        else:
            assert "\n" not in it.text, it
            out.append(it)
    return out


# ---------------------------------------------------------------------------
# phones
# ---------------------------------------------------------------------------


def grp_se(rest: str) -> str:
    if len(rest) == 7:
        return f"{rest[:3]} {rest[3:5]} {rest[5:]}"
    if len(rest) == 8:
        return f"{rest[:3]} {rest[3:6]} {rest[6:]}"
    if len(rest) == 6:
        return f"{rest[:2]} {rest[2:4]} {rest[4:]}"
    return f"{rest[:3]} {rest[3:]}"


def pairs(s: str) -> str:
    return " ".join(s[i : i + 2] for i in range(0, len(s), 2))


class Phone:
    CC = {"SE": "46", "NO": "47", "DK": "45", "GB": "44", "DE": "49", "US": "1", "FI": "358"}

    def __init__(self, country, nsn, area, mobile):
        self.country, self.nsn, self.area, self.mobile = country, nsn, area, mobile

    @property
    def e164(self):
        return f"+{self.CC[self.country]}{self.nsn}"

    def formats(self) -> dict:
        n, a, c = self.nsn, self.area, self.country
        r = n[len(a) :]
        if c == "SE":
            g = grp_se(r)
            f = {
                "nat": f"0{a}-{g}",
                "nat_compact": f"0{a}-{r}",
                "nat_plain": f"0{n}",
                "nat_space": f"0{a} {g}",
                "intl": f"+46 {a} {g}",
                "intl_plain": f"+46{n}",
                "intl_trunk": f"+46 (0){a}-{g}",
                "intl_trunk2": f"+46 (0){a} {g}",
                "paren_trunk": f"(0){a} {g}",
                "zz": f"0046 {a} {g}",
                "zz_plain": f"0046{n}",
                "dots": f"0{a}.{g.replace(' ', '.')}",
                "intl_dash": f"+46-{a}-{r}",
            }
            if self.mobile:
                f["four"] = f"0{n[:3]} {pairs(n[3:])}"
                f["four_dash"] = f"0{n[:3]}-{pairs(n[3:])}"
            return f
        if c == "NO":
            g = f"{n[:3]} {n[3:5]} {n[5:]}" if self.mobile else pairs(n)
            return {
                "nat": g,
                "nat_pairs": pairs(n),
                "nat_plain": n,
                "intl": f"+47 {g}",
                "intl_plain": f"+47{n}",
                "zz": f"0047 {g}",
                "intl_pairs": f"+47 {pairs(n)}",
            }
        if c == "DK":
            return {
                "nat": pairs(n),
                "nat_plain": n,
                "nat44": f"{n[:4]} {n[4:]}",
                "intl": f"+45 {pairs(n)}",
                "intl_plain": f"+45{n}",
                "zz": f"0045 {pairs(n)}",
                "intl44": f"+45 {n[:4]} {n[4:]}",
            }
        if c == "GB":
            if self.mobile:
                return {
                    "nat": f"0{n[:4]} {n[4:]}",
                    "nat_plain": f"0{n}",
                    "nat3": f"0{n[:4]} {n[4:7]} {n[7:]}",
                    "intl": f"+44 {n[:4]} {n[4:]}",
                    "intl_trunk": f"+44 (0){n[:4]} {n[4:]}",
                    "intl_plain": f"+44{n}",
                    "zz": f"0044 {n[:4]} {n[4:]}",
                }
            r1, r2 = r[: len(r) - 4], r[-4:]
            return {
                "nat": f"0{a} {r1} {r2}",
                "nat_paren": f"(0{a}) {r1} {r2}",
                "nat_plain": f"0{n}",
                "intl": f"+44 {a} {r1} {r2}",
                "intl_trunk": f"+44 (0){a} {r1} {r2}",
                "intl_plain": f"+44{n}",
                "zz": f"0044 {a} {r1} {r2}",
            }
        if c == "DE":
            f = {
                "nat": f"0{a} {r}",
                "nat_slash": f"0{a}/{r}",
                "nat_dash": f"0{a}-{r}",
                "intl": f"+49 {a} {r}",
                "intl_trunk": f"+49 (0){a} {r}",
                "intl_plain": f"+49{n}",
                "zz": f"0049 {a} {r}",
            }
            if not self.mobile and len(r) == 7:
                f["nat_grp"] = f"0{a} {r[:3]} {r[3:5]} {r[5:]}"
            return f
        if c == "US":
            a3, b3, c4 = n[:3], n[3:6], n[6:]
            return {
                "nat_paren": f"({a3}) {b3}-{c4}",
                "nat_dash": f"{a3}-{b3}-{c4}",
                "nat_dot": f"{a3}.{b3}.{c4}",
                "intl": f"+1 {a3}-{b3}-{c4}",
                "intl_paren": f"+1 ({a3}) {b3}-{c4}",
                "intl_plain": f"+1{n}",
            }
        if c == "FI":
            return {
                "nat": f"0{a} {r[:3]} {r[3:]}",
                "nat_dash": f"0{a}-{r[:3]} {r[3:]}",
                "nat_plain": f"0{n}",
                "intl": f"+358 {a} {r[:3]} {r[3:]}",
                "intl_plain": f"+358{n}",
                "zz": f"00358 {a} {r[:3]} {r[3:]}",
            }
        raise ValueError(c)

    NATIONAL = (
        "nat",
        "nat_compact",
        "nat_plain",
        "nat_space",
        "four",
        "four_dash",
        "dots",
        "nat_pairs",
        "nat44",
        "nat3",
        "nat_paren",
        "nat_slash",
        "nat_dash",
        "nat_grp",
        "nat_dot",
        "paren_trunk",
    )


def make_phone(rng: random.Random, country: str, mobile: bool | None = None) -> Phone:
    if mobile is None:
        mobile = rng.random() < 0.7
    d = lambda k: "".join(rng.choice("0123456789") for _ in range(k))  # noqa: E731
    if country == "SE":
        if mobile:
            return Phone("SE", f"7017406{rng.randint(0, 99):02d}", "70", True)
        area, base = rng.choice([("8", "465004"), ("31", "39006"), ("40", "62804")])
        return Phone("SE", f"{area}{base}{rng.randint(0, 99):02d}", area, False)
    if country == "NO":
        if mobile:
            return Phone("NO", rng.choice("49") + d(7), "", True)
        return Phone("NO", rng.choice(["22", "23", "55", "73"]) + d(6), "", False)
    if country == "DK":
        if mobile:
            return Phone(
                "DK",
                rng.choice(["20", "21", "28", "30", "31", "40", "42", "50", "51", "60"]) + d(6),
                "",
                True,
            )
        return Phone("DK", rng.choice(["32", "33", "35", "38", "86", "98"]) + d(6), "", False)
    if country == "GB":
        if mobile:
            return Phone("GB", f"7700900{rng.randint(0, 999):03d}", "7700", True)
        area, base = rng.choice([("20", "79460"), ("113", "4960"), ("161", "4960")])
        return Phone("GB", f"{area}{base}{rng.randint(0, 999):03d}", area, False)
    if country == "DE":
        if mobile:
            a = rng.choice(["151", "160", "170", "176"])
            return Phone("DE", a + rng.choice("123456789") + d(7), a, True)
        a = rng.choice(["30", "40", "89"])
        return Phone("DE", a + rng.choice("23456789") + d(6), a, False)
    if country == "US":
        a = rng.choice(["202", "312", "415", "617", "646"])
        return Phone("US", f"{a}55501{rng.randint(0, 99):02d}", a, False)
    if country == "FI":
        a = rng.choice(["40", "50", "44"])
        return Phone("FI", a + d(7), a, True)
    raise ValueError(country)


# ---------------------------------------------------------------------------
# people, companies, services
# ---------------------------------------------------------------------------

FIRST = {
    "SE": [
        "Anna",
        "Erik",
        "Maria",
        "Johan",
        "Karin",
        "Lars",
        "Sofia",
        "Mikael",
        "Elin",
        "Fredrik",
        "Linnea",
        "Oskar",
        "Ingrid",
        "Henrik",
        "Malin",
        "Jonas",
        "Petra",
        "Viktor",
        "Ebba",
        "Emil",
        "Hanna",
        "Gustav",
        "Nils",
        "Astrid",
        "Tove",
        "Åsa",
        "Märta",
        "Björn",
        "Mats",
        "Stina",
        "Kjell",
        "Helena",
        "Cecilia",
        "Magnus",
        "Annika",
        "Tobias",
        "Louise",
        "Johanna",
        "Ylva",
        "Agnes",
        "Leif",
        "Göran",
        "Birgitta",
        "Therese",
        "Patrik",
        "Sixten",
    ],
    "NO": [
        "Ingvild",
        "Torbjørn",
        "Solveig",
        "Sindre",
        "Kari",
        "Håkon",
        "Sigrid",
        "Eirik",
        "Ragnhild",
        "Vegard",
        "Marit",
        "Øystein",
        "Tonje",
        "Espen",
    ],
    "DK": [
        "Mette",
        "Kasper",
        "Freja",
        "Mads",
        "Signe",
        "Rasmus",
        "Lærke",
        "Troels",
        "Birgitte",
        "Jesper",
        "Sune",
        "Camilla",
    ],
    "GB": [
        "Charlotte",
        "Oliver",
        "Harriet",
        "Rupert",
        "Imogen",
        "Callum",
        "Siobhan",
        "Gareth",
        "Priya",
        "Declan",
        "Fiona",
        "Alistair",
    ],
    "DE": [
        "Katrin",
        "Matthias",
        "Jörg",
        "Anke",
        "Stefanie",
        "Florian",
        "Ulrike",
        "Dominik",
        "Sabine",
        "Wolfgang",
    ],
    "FI": ["Aino", "Juhani", "Satu", "Mikko", "Riikka", "Tuomas", "Päivi"],
    "US": ["Dakota", "Marisol", "Trevor", "Shonda"],
}
LAST = {
    "SE": [
        "Lindqvist",
        "Johansson",
        "Karlsson",
        "Nyström",
        "Bergström",
        "Hedlund",
        "Sandberg",
        "Öberg",
        "Wikström",
        "Åkesson",
        "Lindgren",
        "Hallberg",
        "Fransson",
        "Engström",
        "Sjöberg",
        "Ekholm",
        "Norén",
        "Lundqvist",
        "Blomqvist",
        "Forsberg",
        "Dahlgren",
        "Holmberg",
        "Mattsson",
        "Nordin",
        "Hellström",
        "Söderberg",
        "Grönlund",
        "Westerberg",
        "Palmqvist",
        "Rydén",
        "Ekström",
        "Sundqvist",
        "Bäckström",
        "Håkansson",
        "Vikander",
        "Almgren",
        "Tornqvist",
        "Ljungberg",
    ],
    "NO": [
        "Haugen",
        "Johannessen",
        "Kristiansen",
        "Solheim",
        "Halvorsen",
        "Myhre",
        "Nygaard",
        "Aasen",
        "Tveit",
        "Sæther",
    ],
    "DK": [
        "Nielsen",
        "Jørgensen",
        "Rasmussen",
        "Sørensen",
        "Mikkelsen",
        "Kjær",
        "Thomsen",
        "Madsen",
        "Frederiksen",
        "Østergaard",
        "Bech",
    ],
    "GB": [
        "Whitfield",
        "Ashworth",
        "Pemberton",
        "Thornton",
        "Hughes",
        "Okafor",
        "Fairbairn",
        "Llewellyn",
        "Brennan",
        "Cartwright",
    ],
    "DE": [
        "Schneider",
        "Vogt",
        "Hoffmann",
        "Becker",
        "Krüger",
        "Zimmermann",
        "Hartmann",
        "Lehmann",
        "Weißmann",
    ],
    "FI": ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Heikkinen", "Laaksonen"],
    "US": ["Whitaker", "Delgado", "Kowalski", "Ramsey"],
}
FREEMAIL = {
    "SE": ["gmail.com", "hotmail.se", "outlook.com", "telia.com", "live.se", "icloud.com"],
    "NO": ["online.no", "gmail.com", "hotmail.no"],
    "DK": ["mail.dk", "gmail.com", "jubii.dk"],
    "GB": ["btinternet.com", "gmail.com", "outlook.com"],
    "DE": ["web.de", "gmx.de", "t-online.de"],
    "FI": ["gmail.com", "luukku.com"],
    "US": ["gmail.com", "yahoo.com"],
}

COMPANIES = [
    ("Nordvik Logistik AB", "nordviklogistik.se", "SE", "556"),
    ("Fjällsjö Fastigheter AB", "fjallsjofastigheter.se", "SE", "556"),
    ("Kustbyrån Redovisning AB", "kustbyran.se", "SE", "559"),
    ("Brygga Data AB", "bryggadata.se", "SE", "556"),
    ("Solhem Omsorg AB", "solhemomsorg.se", "SE", "559"),
    ("Tallviken Bygg & Montage AB", "tallvikenbygg.se", "SE", "556"),
    ("Ängsgårdens förskola ek. för.", "angsgarden.se", "SE", "769"),
    ("Idrottsföreningen Kvarnen", "ifkvarnen.se", "SE", "802"),
    ("Myrten Bokföring HB", "myrten.se", "SE", "969"),
    ("Granudden Event AB", "granudden.se", "SE", "559"),
    ("Aurora Møbler AS", "auroramobler.no", "NO", None),
    ("Fjordlys Consulting AS", "fjordlys.no", "NO", None),
    ("Havnegade Design ApS", "havnegadedesign.dk", "DK", None),
    ("Kvist & Co ApS", "kvistco.dk", "DK", None),
    ("Brightwell Analytics Ltd", "brightwell-analytics.co.uk", "GB", None),
    ("Harbourline Freight Ltd", "harbourline.co.uk", "GB", None),
    ("Lindenhof Software GmbH", "lindenhof-software.de", "DE", None),
    ("Saaristo Tech Oy", "saaristotech.fi", "FI", None),
    ("Polarkraft Energi AB", "polarkraft.se", "SE", "556"),
    ("Vinterljus Media AB", "vinterljus.se", "SE", "559"),
]

SERVICES = [
    # product, app host, help host, status host, base domain
    ("Kundhub", "app.kundhub.se", "help.kundhub.se", "status.kundhub.se", "kundhub.se"),
    (
        "Fakturamoln",
        "app.fakturamoln.se",
        "support.fakturamoln.se",
        "status.fakturamoln.se",
        "fakturamoln.se",
    ),
    ("Ledgerline", "app.ledgerline.io", "help.ledgerline.io", "status.ledgerline.io", "ledgerline.io"),
    ("Tidrapp", "portal.tidrapp.com", "hjalp.tidrapp.com", "status.tidrapp.com", "tidrapp.com"),
    ("Bokhyllan", "konto.bokhyllan.se", "hjalp.bokhyllan.se", "driftstatus.bokhyllan.se", "bokhyllan.se"),
]

CITIES = {
    "SE": [
        ("Stockholm", "113 51"),
        ("Göteborg", "411 04"),
        ("Malmö", "211 45"),
        ("Uppsala", "753 20"),
        ("Umeå", "903 26"),
        ("Västerås", "722 12"),
        ("Örebro", "702 10"),
        ("Sundsvall", "852 30"),
    ],
    "NO": [("Oslo", "0150"), ("Bergen", "5003"), ("Trondheim", "7011")],
    "DK": [("København K", "1050"), ("Aarhus C", "8000"), ("Odense C", "5000")],
    "GB": [("Leeds", "LS1 4DY"), ("Manchester", "M1 1AE"), ("London", "EC1V 2NX")],
    "DE": [("Berlin", "10115"), ("Hamburg", "20095"), ("München", "80331")],
    "FI": [("Helsinki", "00100"), ("Turku", "20100")],
}

TITLES_EN = [
    "Finance Manager",
    "Office Manager",
    "IT coordinator",
    "Head of Operations",
    "Payroll Specialist",
    "Accounts Assistant",
    "CFO",
    "Customer Success Lead",
    "Systems Administrator",
    "HR Business Partner",
]
TITLES_SV = [
    "Ekonomiansvarig",
    "Kontorschef",
    "IT-samordnare",
    "Verksamhetschef",
    "Lönehandläggare",
    "Redovisningsekonom",
    "VD",
    "Administratör",
    "HR-specialist",
    "Förskolechef",
]
TEAMS = [
    "Team Ekonomi",
    "the billing team",
    "Lönegruppen",
    "IT-support",
    "the ops team",
    "Kundtjänst",
    "Team Nord",
    "the finance team",
]
AGENTS = [
    ("Mira", "Castellano"),
    ("Dev", "Ramanathan"),
    ("Lovisa", "Quist"),
    ("Teodor", "Amsel"),
    ("Noor", "Haddad"),
    ("Jasper", "Vale"),
    ("Idun", "Fagerlind"),
    ("Kofi", "Mensah"),
]


class Person:
    def __init__(self, first, last, country, email, phone):
        self.first, self.last, self.country, self.email, self.phone = first, last, country, email, phone
        self.username = None
        self.profile_phone = None

    @property
    def full(self):
        return f"{self.first} {self.last}"


def email_local(rng, first, last, style=None):
    f, l = fold(first).lower(), fold(last).lower()
    style = style or rng.choice(["fl", "fl", "fl", "f_l", "il", "f", "fli", "fl_"])
    return {
        "fl": f"{f}.{l}",
        "f_l": f"{f}_{l}",
        "il": f"{f[0]}.{l}",
        "f": f,
        "fli": f"{f}{l[0]}",
        "fl_": f"{f}{l}",
    }[style]


# ---------------------------------------------------------------------------
# per-message context: all identifier helpers return tokens
# ---------------------------------------------------------------------------

SV_MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
SV_MON3 = ["jan.", "feb.", "mars", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "dec."]
SV_DAYS = ["mån", "tis", "ons", "tors", "fre", "lör", "sön"]
EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
EN_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

HEX = "0123456789abcdef"
B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


class Ctx:
    def __init__(self, rng: random.Random, lang: str, style: str, rcountry: str):
        self.rng = rng
        self.lang = lang
        self.style = style
        self.allow_split = True
        self.used_parts: set[str] = set()
        comp_pool = [c for c in COMPANIES if c[2] == rcountry] or COMPANIES
        if rcountry == "SE" or rng.random() < 0.3:
            comp_pool = [c for c in COMPANIES if c[2] == rcountry] or comp_pool
        self.company_name, self.domain, self.ccountry, orgpfx = rng.choice(comp_pool)
        self.org_prefix = orgpfx or rng.choice(["556", "559"])
        self.svc = rng.choice(SERVICES)
        self.product, self.app, self.help, self.status, self.base = self.svc
        self.now = datetime(2024, 1, 8, 8, 0) + timedelta(minutes=rng.randint(0, 60 * 24 * 560))
        self.reporter = self._person(rcountry, self.domain)
        self._make_username()
        p = self.reporter.phone
        fm = p.formats()
        r = rng.random()
        self.reporter.profile_phone = p.e164 if r < 0.72 else (fm["intl"] if r < 0.86 else fm.get("nat"))
        self.members = []
        for _ in range(rng.randint(2, 6)):
            mc = rcountry if rng.random() < 0.75 else rng.choice(["SE", "NO", "DK", "GB", "DE", "FI"])
            self.members.append(self._person(mc, self.domain))
        self.outsiders: list[Person] = []
        self.agent = self._agent()

    # -- people -----------------------------------------------------------
    def _free(self, name):
        low = name.lower()
        for u in self.used_parts:
            if low in u or u in low:
                return False
        return True

    def _person(self, country, domain=None):
        rng = self.rng
        for cc in [country] + ["SE", "GB", "DE", "NO", "DK"] * 2:
            for _ in range(60):
                f = rng.choice(FIRST[cc])
                l = rng.choice(LAST[cc])
                if self._free(f) and self._free(l) and f.lower() not in l.lower() and l.lower() not in f.lower():
                    self.used_parts.update({f.lower(), l.lower()})
                    dom = domain or rng.choice(FREEMAIL[cc])
                    email = f"{email_local(rng, f, l)}@{dom}"
                    return Person(f, l, cc, email, make_phone(rng, cc))
        raise RuntimeError("name pool exhausted")

    def _agent(self):
        for _ in range(50):
            f, l = self.rng.choice(AGENTS)
            if self._free(f) and self._free(l):
                self.used_parts.update({f.lower(), l.lower()})
                return (f, l)
        return ("Kim", "Support")

    def outsider(self, country=None, domain=None):
        country = country or self.rng.choice(["SE"] * 5 + ["NO", "DK", "GB", "DE", "FI", "US"])
        if domain is None and self.rng.random() < 0.5:
            domain = self.rng.choice(
                [
                    "kund.example.se",
                    "mail.partner.example.com",
                    "example.org",
                    "revisionsbyran.example.se",
                    "example.net",
                ]
            )
        p = self._person(country, domain)
        self.outsiders.append(p)
        return p

    def _make_username(self):
        rng, p = self.rng, self.reporter
        f, l = fold(p.first).lower(), fold(p.last).lower()
        p.username = rng.choice(
            [
                f"{f[0]}{l}",
                f"{f}.{l}",
                f"{f}_{l[:3]}",
                f"{f}{rng.randint(10, 99)}",
                f"{f[:3]}{l[:3]}",
                f"{l}{f[0]}",
            ]
        )

    # -- templating -------------------------------------------------------
    def pick(self, tpls, **kw):
        return fmt(self.rng.choice(tpls), kw)

    def f(self, tpl, **kw):
        return fmt(tpl, kw)

    def ch(self, seq):
        return self.rng.choice(seq)

    def chance(self, p):
        return self.rng.random() < p

    # -- reporter -----------------------------------------------------------
    def Rfull(self):
        return S("reporter", self.reporter.full)

    def Rfirst(self):
        return S("reporter", self.reporter.first)

    def Rlast(self):
        return S("reporter", self.reporter.last)

    def Rcaps(self):
        return S("reporter", self.reporter.full.upper())

    def Rsplit(self):
        if not self.allow_split:
            return self.Rfull()
        return S("reporter", f"{self.reporter.first}\n{self.reporter.last}")

    def Rname(self):
        r = self.rng.random()
        if r < 0.45:
            return self.Rfull()
        if r < 0.8:
            return self.Rfirst()
        if r < 0.92:
            return self.Rlast()
        return self.Rcaps()

    def Remail(self, case=None):
        e = self.reporter.email
        case = case or self.ch(["as"] * 6 + ["upper", "title", "domain"])
        if case == "upper":
            e = e.upper()
        elif case == "title":
            loc, dom = e.split("@")
            e = ".".join(x.capitalize() for x in loc.split(".")) + "@" + dom
        elif case == "domain":
            loc, dom = e.split("@")
            e = loc + "@" + dom.upper()
        return S("reporter", e)

    def Ruser(self):
        return S("reporter", self.reporter.username)

    def Rphone(self, split=None, national=None, fmt_name=None):
        p = self.reporter.phone
        fm = p.formats()
        keys = [k for k, v in fm.items() if v != self.reporter.profile_phone]
        if fmt_name and fmt_name in fm:
            k = fmt_name
        else:
            if national is None:
                national = self.rng.random() < (0.75 if p.country != "SE" else 0.55)
            nk = [k for k in keys if k in Phone.NATIONAL]
            k = self.ch(nk if national and nk else keys)
        s = fm[k]
        if split is None:
            split = self.rng.random() < 0.07
        if split and self.allow_split and " " in s:
            idxs = [i for i, ch in enumerate(s) if ch == " "]
            i = self.ch(idxs)
            s = s[:i] + "\n" + s[i + 1 :]
        return S("reporter", s)

    def Rphone_profile(self):
        return S("reporter", self.reporter.profile_phone)

    # -- members ----------------------------------------------------------
    def mem(self, i=None):
        if i is None:
            return self.ch(self.members)
        return self.members[i % len(self.members)]

    def Mname(self, p=None, form=None):
        p = p or self.mem()
        form = form or self.ch(["full", "full", "first", "first", "last"])
        return S("name", {"full": p.full, "first": p.first, "last": p.last}[form])

    def Memail(self, p=None, variant=None):
        p = p or self.mem()
        return self.email_tok(p.email, variant)

    def Mphone(self, p=None):
        p = p or self.mem()
        return S("phone", self.ch(list(p.phone.formats().values())))

    # -- outsiders ----------------------------------------------------------
    def Oname(self, p=None, form=None):
        p = p or self.outsider()
        form = form or self.ch(["full", "full", "full", "first"])
        return D("non-member name", {"full": p.full, "first": p.first, "last": p.last}[form])

    def Oemail(self, p=None, variant=None):
        if p is None and self.outsiders and self.chance(0.6):
            p = self.ch(self.outsiders)
        p = p or self.outsider()
        return self.email_tok(p.email, variant)

    # -- generic identifiers ------------------------------------------------
    def email_tok(self, e, variant=None):
        if variant is None:
            r = self.rng.random()
            variant = "plain" if r < 0.68 else ("plus" if r < 0.79 else ("upper" if r < 0.87 else "split"))
        loc, dom = e.split("@")
        if variant == "plus":
            e = f"{loc}+{self.ch(['faktura', 'billing', 'support', 'test', 'kundhub', 'lon', 'noreply'])}@{dom}"
        elif variant == "upper":
            e = self.ch([e.upper(), loc.capitalize() + "@" + dom.capitalize(), loc + "@" + dom.upper()])
        elif variant == "split" and self.allow_split:
            parts = dom.split(".")
            if self.chance(0.5) and len(parts) >= 2:
                e = f"{loc}@{'.'.join(parts[:-1])}\n.{parts[-1]}"
            else:
                e = f"{loc}@\n{dom}"
        elif variant == "sub":
            e = f"{loc}@{self.ch(['mail', 'post', 'ekonomi', 'uk', 'eu'])}.{dom}"
        return S("email", e)

    def email(self, variant=None):
        r = self.rng.random()
        if r < 0.35:
            return self.Memail(variant=variant)
        if r < 0.55:
            loc = self.ch(["faktura", "ekonomi", "invoices", "accounts", "lon", "it", "info", "admin", "hr"])
            return self.email_tok(
                f"{loc}@{self.domain}", variant or self.ch(["plain", "plain", "sub", "upper"])
            )
        return self.Oemail(variant=variant)

    def phone(self, country=None, fmt_name=None, mobile=None):
        country = country or self.ch(
            ["SE"] * 5 + ["NO", "NO", "DK", "DK", "GB", "GB", "DE", "DE", "US", "FI"]
        )
        p = make_phone(self.rng, country, mobile)
        fm = p.formats()
        return S("phone", fm.get(fmt_name) or self.ch(list(fm.values())))

    def ip4(self):
        r = self.rng
        k = r.random()
        if k < 0.3:
            s = f"203.0.113.{r.randint(1, 254)}"
        elif k < 0.5:
            s = f"198.51.100.{r.randint(1, 254)}"
        elif k < 0.6:
            s = f"192.0.2.{r.randint(1, 254)}"
        elif k < 0.75:
            s = f"10.{r.randint(0, 40)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        elif k < 0.88:
            s = f"192.168.{r.randint(0, 20)}.{r.randint(1, 254)}"
        else:
            s = f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        return S("ip", s)

    def ip6(self):
        r = self.rng
        h = lambda: f"{r.randint(1, 0xFFFF):x}"  # noqa: E731
        s = r.choice(
            [
                f"2001:db8::{h()}",
                f"2001:db8:{h()}::{h()}",
                f"2001:db8:{h()}:{h()}::{h()}:{h()}",
                f"fe80::{h()}:{h()}:{h()}:{h()}",
                f"2001:db8:85a3::8a2e:370:{h()}",
                f"2001:0db8:{h()}:0000:0000:{h()}:{h()}:{h()}",
                f"::ffff:203.0.113.{r.randint(1, 254)}",
                f"2001:db8:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}",
            ]
        )
        return S("ip", s)

    def ip(self):
        return self.ip6() if self.chance(0.3) else self.ip4()

    # -- URLs ---------------------------------------------------------------
    def tok(self, n, alpha=B62):
        return "".join(self.rng.choice(alpha) for _ in range(n))

    def uuid(self):
        h = self.tok(32, HEX)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.ch('89ab')}{h[17:20]}-{h[20:]}"

    def jwt(self):
        b = lambda x: base64.urlsafe_b64encode(x).decode().rstrip("=")  # noqa: E731
        head = b(b'{"alg":"HS256","typ":"JWT"}')
        body = b(
            json.dumps(
                {
                    "sub": str(self.rng.randint(1000, 99999)),
                    "iat": 1714000000 + self.rng.randint(0, 9999999),
                    "scope": "app",
                },
                separators=(",", ":"),
            ).encode()
        )
        sig = b(bytes(self.rng.randint(0, 255) for _ in range(32)))
        return f"{head}.{body}.{sig}"

    def surl(self, kind=None):
        r, app, base = self.rng, self.app, self.base
        kind = kind or r.choice(
            [
                "reset",
                "reset",
                "magic",
                "verify",
                "invite",
                "unsub",
                "s3",
                "gcs",
                "session",
                "jwt",
                "share",
                "recover",
                "signed",
            ]
        )
        uid = base64.urlsafe_b64encode(str(r.randint(7, 99999)).encode()).decode().rstrip("=")
        if kind == "reset":
            s = r.choice(
                [
                    f"https://{app}/accounts/reset/{uid}/{self.tok(6, B36)}-{self.tok(32, HEX)}/",
                    f"https://{app}/password/reset/confirm/{uid}/{self.tok(6, B36)}-{self.tok(20, HEX)}/",
                    f"https://{app}/reset-password/{self.tok(40)}",
                    f"https://{app}/auth/reset?token={self.tok(43)}",
                    f"https://{app}/sv/losenord/aterstall/{uid}/{self.tok(6, B36)}-{self.tok(32, HEX)}/",
                ]
            )
        elif kind == "recover":
            s = r.choice(
                [
                    f"https://{app}/account/recover?code={self.tok(24)}&uid={r.randint(1000, 99999)}",
                    f"https://{app}/recovery/{self.uuid()}",
                ]
            )
        elif kind == "magic":
            s = r.choice(
                [
                    f"https://{app}/login/magic/{self.tok(48)}",
                    f"https://{app}/auth/magic-link?token={self.tok(40)}&next=%2Fdashboard",
                    f"https://{app}/m/{self.tok(22)}",
                ]
            )
        elif kind == "verify":
            s = r.choice(
                [
                    f"https://{app}/verify-email/{self.uuid()}/",
                    f"https://{app}/accounts/confirm-email/{self.tok(10, B36)}:{self.tok(27)}/",
                    f"https://{app}/email/verify?code={self.tok(6, '0123456789')}&uid={uid}&sig={self.tok(32, HEX)}",
                ]
            )
        elif kind == "invite":
            s = r.choice(
                [
                    f"https://{app}/invitations/accept/{self.uuid()}",
                    f"https://{app}/join/{self.tok(32)}",
                    f"https://{app}/team/invite?key={self.tok(40)}",
                    f"https://{app}/inbjudan/{self.uuid()}/",
                ]
            )
        elif kind == "unsub":
            s = r.choice(
                [
                    f"https://news.{base}/unsubscribe/{self.tok(36)}",
                    f"https://{app}/notifications/unsubscribe?u={self.tok(28)}&list=monthly",
                    f"https://click.{base}/u/{self.tok(12)}/{self.tok(30)}",
                    f"https://{app}/avregistrera/{self.uuid()}",
                ]
            )
        elif kind == "s3":
            d = self.now.strftime("%Y%m%d")
            s = (
                f"https://{self.ch(['exports', 'kundhub-exports', 'prod-reports'])}-{self.tok(4, B36)}.s3.eu-north-1.amazonaws.com/"
                f"{self.ch(['exports', 'reports', 'invoices'])}/{self.now:%Y/%m}/{self.ch(['export', 'rapport', 'ledger', 'faktura-underlag'])}.{self.ch(['csv', 'xlsx', 'pdf', 'zip'])}"
                f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA{self.tok(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}%2F{d}%2Feu-north-1%2Fs3%2Faws4_request"
                f"&X-Amz-Date={d}T{self.now:%H%M%S}Z&X-Amz-Expires={self.ch(['900', '3600', '86400'])}&X-Amz-SignedHeaders=host"
                f"&X-Amz-Signature={self.tok(64, HEX)}"
            )
        elif kind == "gcs":
            d = self.now.strftime("%Y%m%d")
            s = (
                f"https://storage.googleapis.com/{self.ch(['prod-exports', 'ledger-files', 'kh-attachments'])}/"
                f"{self.ch(['exports', 'uploads'])}/{self.tok(8, B36)}/{self.ch(['underlag.pdf', 'report.csv', 'backup.zip'])}"
                f"?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=signer%40{self.tok(6, B36)}-prod.iam.gserviceaccount.com%2F{d}%2Feurope-north1%2Fstorage%2Fgoog4_request"
                f"&X-Goog-Date={d}T{self.now:%H%M%S}Z&X-Goog-Expires=900&X-Goog-SignedHeaders=host&X-Goog-Signature={self.tok(96, HEX)}"
            )
        elif kind == "session":
            s = r.choice(
                [
                    f"https://{app}/dashboard?sessionid={self.tok(32, B36)}",
                    f"https://{app}/app;jsessionid={self.tok(32, '0123456789ABCDEF')}?view=invoices",
                    f"https://{app}/reports?sid={self.tok(26)}&tab=2",
                    f"https://{app}/invoices/list?page=3&PHPSESSID={self.tok(26, B36)}",
                ]
            )
        elif kind == "jwt":
            s = r.choice(
                [
                    f"https://{app}/oauth/callback#access_token={self.jwt()}&token_type=Bearer&expires_in=3600",
                    f"https://{app}/sso/return#id_token={self.jwt()}",
                    f"https://{app}/auth/complete?state={self.tok(16)}#token={self.jwt()}",
                ]
            )
        elif kind == "share":
            s = r.choice(
                [
                    f"https://{app}/share/{self.uuid()}",
                    f"https://{app}/documents/{self.uuid()}/download",
                    f"https://{app}/d/{self.tok(24)}/{self.ch(['kvitto.pdf', 'avtal.pdf', 'lonespec.pdf'])}",
                ]
            )
        else:  # signed
            s = r.choice(
                [
                    f"https://files.{base}/dl/{self.tok(20)}?expires={1714000000 + r.randint(0, 9999999)}&signature={self.tok(64, HEX)}",
                    f"https://api.{base}/v2/export?api_key={self.tok(32)}&format=csv",
                    f"https://{app}/exports/{self.tok(10, HEX)}.csv?token={self.tok(40)}",
                ]
            )
        return S("url", s)

    def purl(self, kind=None):
        r = self.rng
        kind = kind or r.choice(["help", "help", "docs", "status", "pricing", "blog", "gov"])
        if kind == "help":
            slug = r.choice(
                [
                    "reset-your-password",
                    "how-to-invite-users",
                    "byta-losenord",
                    "two-factor-authentication",
                    "exportera-data",
                    "change-billing-details",
                    "saml-sso-setup",
                    "tvastegsverifiering",
                    "ip-allowlist",
                    "avsluta-konto",
                ]
            )
            s = r.choice(
                [
                    f"https://{self.help}/articles/{r.randint(360000000000, 360099999999)}-{slug}",
                    f"https://{self.help}/hc/sv/articles/{r.randint(4400000000000, 4409999999999)}-{slug}",
                    f"https://{self.help}/sv/artiklar/{slug}",
                    f"https://{self.help}/kb/{r.randint(100, 9999)}/{slug}",
                ]
            )
        elif kind == "docs":
            s = r.choice(
                [
                    f"https://docs.{self.base}/api/v2/invoices",
                    f"https://docs.{self.base}/guides/webhooks#retries",
                    f"https://docs.{self.base}/sv/import/csv-format",
                    f"https://developer.{self.base}/reference/authentication",
                ]
            )
        elif kind == "status":
            s = r.choice(
                [f"https://{self.status}/", f"https://{self.status}", f"https://{self.status}/history"]
            )
        elif kind == "pricing":
            s = r.choice(
                [
                    f"https://www.{self.base}/pricing",
                    f"https://www.{self.base}/sv/priser",
                    f"https://{self.base}/plans#business",
                ]
            )
        elif kind == "blog":
            s = f"https://www.{self.base}/blog/{r.choice(['nyheter-i-version-5', 'release-notes-april', 'new-invoice-editor', 'sakerhet-och-inloggning'])}"
        else:
            s = r.choice(
                [
                    "https://www.skatteverket.se/privat/folkbokforing",
                    "https://www.imy.se/verksamhet/dataskydd/",
                    "https://www.bolagsverket.se/foretag",
                    "https://gdpr.eu/right-to-be-forgotten/",
                ]
            )
        return D("public url", s)

    # -- money ------------------------------------------------------------------
    def card(self, scheme=None, style=None):
        r = self.rng
        scheme = scheme or r.choice(["visa", "visa", "mc", "mc2", "amex"])
        if scheme == "visa":
            part = "4" + self.tok(14, "0123456789")
        elif scheme == "mc":
            part = f"5{r.randint(1, 5)}" + self.tok(13, "0123456789")
        elif scheme == "mc2":
            part = str(r.randint(2221, 2720)) + self.tok(11, "0123456789")
        else:
            part = r.choice(["34", "37"]) + self.tok(12, "0123456789")
        num = part + luhn_digit(part)
        return S("card", self._card_fmt(num, style))

    def _card_fmt(self, num, style=None):
        style = style or self.ch(["space", "space", "dash", "plain"])
        if len(num) == 15:
            g = [num[:4], num[4:10], num[10:]]
        else:
            g = [num[i : i + 4] for i in range(0, 16, 4)]
        return {"space": " ".join(g), "dash": "-".join(g), "plain": num}[style]

    def card_bad(self):
        r = self.rng
        while True:
            part = r.choice(["4", "5" + str(r.randint(1, 5)), "37"])
            n = 15 if part == "37" else 16
            num = part + self.tok(n - len(part), "0123456789")
            if not luhn_ok(num):
                return D("invalid card number", self._card_fmt(num))

    def card_masked(self):
        l4 = self.tok(4, "0123456789")
        return D(
            "masked card",
            self.ch(
                [
                    f"**** **** **** {l4}",
                    f"•••• {l4}",
                    f"XXXX-XXXX-XXXX-{l4}",
                    f"**** {l4}",
                    f"************{l4}",
                    f"xxxx xxxx xxxx {l4}",
                ]
            ),
        )

    def l4(self):
        return D("masked card", self.tok(4, "0123456789"))

    def iban_raw(self, cc=None):
        r = self.rng
        cc = cc or r.choice(["SE"] * 5 + ["NO", "NO", "DK", "DK", "DE", "DE", "GB", "GB", "FI", "NL"])
        dg = lambda k: self.tok(k, "0123456789")  # noqa: E731
        if cc == "SE":
            bban = r.choice(["500", "600", "800", "300", "120", "957"]) + dg(17)
        elif cc == "NO":
            while True:
                d10 = r.choice(["1503", "1607", "9710", "6011", "3000"]) + dg(6)
                c = no_mod11(d10)
                if c is not None:
                    bban = d10 + str(c)
                    break
        elif cc == "DK":
            bban = r.choice(["3000", "5301", "2000", "9570"]) + dg(10)
        elif cc == "DE":
            bban = r.choice(["37040044", "10070000", "50010517", "20050550"]) + dg(10)
        elif cc == "GB":
            bban = r.choice(["NWBK", "BARC", "LOYD", "MIDL"]) + dg(6) + dg(8)
        elif cc == "FI":
            p = r.choice(["123456", "400010", "500001", "800012"]) + dg(7)
            bban = p + luhn_digit(p)
        else:  # NL
            bban = r.choice(["ABNA", "RABO", "INGB"]) + dg(10)
        ib = iban_make(cc, bban)
        assert iban_mod97(ib) == 1
        return ib

    def iban_fmt(self, ib, style=None):
        style = style or self.ch(["group", "group", "group", "plain", "plain", "lower_group", "lower_plain"])
        g = " ".join(ib[i : i + 4] for i in range(0, len(ib), 4))
        return {"group": g, "plain": ib, "lower_group": g.lower(), "lower_plain": ib.lower()}[style]

    def iban(self, cc=None, style=None):
        return S("iban", self.iban_fmt(self.iban_raw(cc), style))

    def iban_run(self, cc=None):
        """An IBAN without spaces (maybe lower case) that is run into what follows."""
        cc = cc or self.ch(["SE", "DE", "NO", "DK", "FI"])
        ib = self.iban_raw(cc)
        return S("iban", ib.lower() if self.chance(0.5) else ib)

    def iban_bad(self, cc=None):
        ib = self.iban_raw(cc)
        cd = int(ib[2:4])
        for delta in (1, 3, 7, 11):
            nb = f"{ib[:2]}{(cd + delta) % 97 or 2:02d}{ib[4:]}"
            if iban_mod97(nb) != 1:
                return D("invalid iban", self.iban_fmt(nb, self.ch(["group", "plain"])))
        raise AssertionError

    # -- Swedish numbers --------------------------------------------------------
    def _pnr_parts(self, coord=False, old=False):
        r = self.rng
        y = r.randint(1912, 1923) if old else r.randint(1941, 2006)
        m = r.randint(1, 12)
        d = r.randint(1, 28)
        if coord:
            d += 60
        serial = f"{r.randint(0, 999):03d}"
        nine = f"{y % 100:02d}{m:02d}{d:02d}{serial}"
        return y, nine, luhn_digit(nine)

    def pnr(self, style=None, coord=None):
        style = style or self.ch(
            ["dash10", "dash10", "dash10", "plain10", "dash12", "dash12", "plain12", "plus"]
        )
        coord = self.chance(0.15) if coord is None else coord
        y, nine, c = self._pnr_parts(coord=coord, old=(style == "plus"))
        return S("personnummer", self._pnr_fmt(y, nine, c, style))

    def _pnr_fmt(self, y, nine, c, style):
        ten = nine + c
        cent = f"{y // 100}"
        return {
            "dash10": f"{ten[:6]}-{ten[6:]}",
            "plain10": ten,
            "dash12": f"{cent}{ten[:6]}-{ten[6:]}",
            "plain12": f"{cent}{ten}",
            "plus": f"{ten[:6]}+{ten[6:]}",
        }[style]

    def pnr_bad(self):
        style = self.ch(["dash10", "dash12", "plain12"])
        y, nine, c = self._pnr_parts()
        bad = str((int(c) + self.rng.randint(1, 9)) % 10)
        return D("invalid personnummer", self._pnr_fmt(y, nine, bad, style))

    def orgnr(self, prefix=None, style=None):
        prefix = prefix or self.ch(["556", "556", "559", "802", "969", "716", "769"])
        nine = prefix + self.tok(6, "0123456789")
        ten = nine + luhn_digit(nine)
        style = style or self.ch(["dash", "dash", "dash", "plain", "sixteen", "sixteen_dash"])
        s = {
            "dash": f"{ten[:6]}-{ten[6:]}",
            "plain": ten,
            "sixteen": f"16{ten}",
            "sixteen_dash": f"16{ten[:6]}-{ten[6:]}",
        }[style]
        return D("organisation number", s)

    def own_orgnr(self):
        if not hasattr(self, "_own_org"):
            self._own_org = self.orgnr(self.org_prefix, "dash").text
        return D("organisation number", self._own_org)

    # -- harmless things ----------------------------------------------------------
    def when(self, days_back=0, fmtname=None):
        t = self.now - timedelta(days=days_back, minutes=self.rng.randint(0, 600))
        fmtname = fmtname or ("iso" if self.chance(0.5) else ("sv" if self.lang == "sv" else "en"))
        if fmtname == "iso":
            s = t.strftime("%Y-%m-%d")
        elif fmtname == "sv":
            s = f"{t.day} {SV_MONTHS[t.month - 1]}"
        elif fmtname == "en":
            s = f"{t.day} {EN_MONTHS[t.month - 1]}"
        elif fmtname == "us":
            s = f"{EN_MONTHS[t.month - 1]} {t.day}, {t.year}"
        else:
            s = t.strftime("%d.%m.%Y")
        return D("date", s)

    def clock(self):
        return D("time", f"{self.rng.randint(7, 22):02d}:{self.rng.randint(0, 59):02d}")

    def amount(self, cur=None):
        r = self.rng
        v = r.choice([r.randint(49, 999), r.randint(1000, 49999), r.randint(100, 9999)])
        ore = r.choice(["00", "00", "50", str(r.randint(10, 99))])
        cur = cur or (
            "kr"
            if self.lang != "en" or self.chance(0.4)
            else r.choice(["SEK", "EUR", "€", "NOK", "DKK", "£"])
        )
        th = f"{v:,}".replace(",", " ")
        if cur == "kr":
            s = r.choice([f"{th},{ore} kr", f"{th} kr", f"{th}:-", f"SEK {th},{ore}"])
        elif cur == "€":
            s = f"€{v:,}.{ore}"
        elif cur == "£":
            s = f"£{v:,}.{ore}"
        else:
            s = r.choice([f"{th},{ore} {cur}", f"{cur} {v:,}.{ore}", f"{v} {cur}"])
        return D("amount", s)

    def version(self):
        r = self.rng
        return D(
            "version",
            r.choice(
                [
                    f"v{r.randint(1, 9)}.{r.randint(0, 24)}.{r.randint(0, 12)}",
                    f"{r.randint(1, 9)}.{r.randint(0, 24)}.{r.randint(0, 12)}",
                    f"version {r.randint(3, 6)}.{r.randint(0, 20)}",
                ]
            ),
        )

    def postal(self, country=None):
        country = country or self.ccountry
        city, pc = self.ch(CITIES.get(country, CITIES["SE"]))
        return [D("postal code", pc), " ", D("city", city)]

    def city(self):
        return D("city", self.ch(CITIES.get(self.ccountry, CITIES["SE"]))[0])

    def order(self):
        r = self.rng
        return D(
            "order number",
            r.choice(
                [
                    f"ORD-{r.randint(100000, 999999)}",
                    f"#{r.randint(10000, 99999)}",
                    f"SO-{r.randint(20, 25)}-{r.randint(10000, 99999)}",
                    f"A{r.randint(100000, 999999)}",
                ]
            ),
        )

    def invoice(self):
        r = self.rng
        return D(
            "invoice number",
            r.choice(
                [
                    f"INV-{self.now.year}-{r.randint(100, 9999):04d}",
                    f"F{r.randint(10000, 99999)}",
                    f"{self.now.year}-{r.randint(100, 999)}",
                    f"FAK-{r.randint(1000, 99999)}",
                ]
            ),
        )

    def ticket(self):
        r = self.rng
        return D(
            "ticket number",
            r.choice(
                [
                    f"INC-{r.randint(1, 99999):06d}",
                    f"#{r.randint(1000, 99999)}",
                    f"CS-{self.now.year}-{r.randint(100, 9999):05d}",
                    f"SUP-{r.randint(1000, 9999)}",
                    f"ärende {r.randint(10000, 99999)}",
                ]
            ),
        )

    def tracking(self):
        r = self.rng
        return D(
            "tracking number",
            r.choice(
                [
                    f"JJD{r.randint(10**13, 10**14 - 1)}",
                    f"UA{r.randint(10**8, 10**9 - 1)}SE",
                    f"1Z{self.tok(6, 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789')}{r.randint(10**9, 10**10 - 1)}",
                ]
            ),
        )

    def title(self):
        return D("job title", self.ch(TITLES_SV if self.lang == "sv" else TITLES_EN))

    def team(self):
        return D("team name", self.ch(TEAMS))

    def prod(self):
        return D("product name", self.product)

    def comp(self):
        return D("company name", self.company_name)

    def agent_name(self, form="first"):
        f, l = self.agent
        return D("non-member name", f if form == "first" else f"{f} {l}")


# ---------------------------------------------------------------------------
# placeholder sets shared by all sentence templates
# ---------------------------------------------------------------------------


def K(c: Ctx, **over) -> dict:
    m = c.mem()
    others = [x for x in c.members if x is not m]
    m2 = c.ch(others) if others else m
    memo = {}

    def O():
        if "o" not in memo:
            memo["o"] = c.outsider()
        return memo["o"]

    def O2():
        if "o2" not in memo:
            memo["o2"] = c.outsider()
        return memo["o2"]

    def ophone(p):
        return S("phone", c.ch(list(p.phone.formats().values())))

    kw = dict(
        rp=lambda: c.Rphone(), rp_nat=lambda: c.Rphone(national=True), rfull=c.Rfull, rfirst=c.Rfirst,
        rlast=c.Rlast, rname=c.Rname, rcaps=c.Rcaps, rsplit=c.Rsplit, remail=lambda: c.Remail(),
        remail_up=lambda: c.Remail("upper"), ruser=c.Ruser, rprof=c.Rphone_profile,
        mfull=lambda: c.Mname(m, "full"), mfirst=lambda: c.Mname(m, "first"), mlast=lambda: c.Mname(m, "last"),
        mname=lambda: c.Mname(m), memail=lambda: c.Memail(m), mphone=lambda: c.Mphone(m),
        m2full=lambda: c.Mname(m2, "full"), m2first=lambda: c.Mname(m2, "first"),
        m2email=lambda: c.Memail(m2), m2phone=lambda: c.Mphone(m2),
        oname=lambda: c.Oname(O(), "full"), ofirst=lambda: c.Oname(O(), "first"), olast=lambda: c.Oname(O(), "last"),
        oemail=lambda: c.Oemail(O()), ophone=lambda: ophone(O()),
        o2name=lambda: c.Oname(O2(), "full"), o2email=lambda: c.Oemail(O2()), o2phone=lambda: ophone(O2()),
        email=lambda: c.email(), email2=lambda: c.email(), phone=lambda: c.phone(),
        phone_se=lambda: c.phone("SE"), landline=lambda: c.phone("SE", mobile=False),
        phone_no=lambda: c.phone("NO"), phone_dk=lambda: c.phone("DK"), phone_gb=lambda: c.phone("GB"),
        phone_de=lambda: c.phone("DE"), phone_us=lambda: c.phone("US"),
        url=lambda: c.surl(), reset=lambda: c.surl("reset"), magic=lambda: c.surl("magic"),
        verify=lambda: c.surl("verify"), invite=lambda: c.surl("invite"), unsub=lambda: c.surl("unsub"),
        s3=lambda: c.surl("s3"), gcs=lambda: c.surl("gcs"), session=lambda: c.surl("session"),
        jwt=lambda: c.surl("jwt"), share=lambda: c.surl("share"), recover=lambda: c.surl("recover"),
        signed=lambda: c.surl("signed"),
        help_url=lambda: c.purl("help"), docs=lambda: c.purl("docs"), status=lambda: c.purl("status"),
        pricing=lambda: c.purl("pricing"), blog=lambda: c.purl("blog"), gov=lambda: c.purl("gov"),
        card=lambda: c.card(), card2=lambda: c.card(), amex=lambda: c.card("amex"), card_bad=c.card_bad,
        masked=c.card_masked, l4=c.l4,
        iban=lambda: c.iban(), iban2=lambda: c.iban(), iban_se=lambda: c.iban("SE"), iban_no=lambda: c.iban("NO"),
        iban_dk=lambda: c.iban("DK"), iban_de=lambda: c.iban("DE"), iban_gb=lambda: c.iban("GB"),
        iban_fi=lambda: c.iban("FI"), iban_nl=lambda: c.iban("NL"), iban_run=lambda: c.iban_run(),
        iban_low=lambda: c.iban(style=c.ch(["lower_group", "lower_plain"])), iban_bad=lambda: c.iban_bad(),
        bic=lambda: D("bic", c.ch(["HANDSESS", "ESSESESS", "SWEDSESS", "NDEASESS", "DNBANOKK", "DABADKKK", "COBADEFFXXX", "NWBKGB2L"])),
        pnr=lambda: c.pnr(), pnr2=lambda: c.pnr(), pnr_coord=lambda: c.pnr(coord=True),
        pnr_old=lambda: c.pnr("plus", coord=False), pnr_bad=c.pnr_bad,
        orgnr=lambda: c.orgnr(), orgnr16=lambda: c.orgnr(style=c.ch(["sixteen", "sixteen_dash"])),
        own_orgnr=c.own_orgnr,
        date=lambda: c.when(c.rng.randint(0, 20)), date2=lambda: c.when(c.rng.randint(20, 60)),
        time=c.clock, amount=lambda: c.amount(), amount2=lambda: c.amount(), version=c.version,
        ticket=c.ticket, order=c.order, inv=c.invoice, tracking=c.tracking,
        ip=lambda: c.ip(), ip4=lambda: c.ip4(), ip4b=lambda: c.ip4(), ip6=lambda: c.ip6(),
        comp=c.comp, prod=c.prod, title=c.title, team=c.team, city=c.city,
        postal=lambda: c.postal(), agent=lambda: c.agent_name("first"),
    )
    kw.update(over)
    return kw


def P(c, tpls, **over):
    return c.pick(tpls, **K(c, **over))


# ---------------------------------------------------------------------------
# English paragraphs
# ---------------------------------------------------------------------------

EN_TOPICS = {
    "sms": [
        "I'm not getting the SMS codes when I log in. The number on my profile should be {rp}, but maybe it was saved wrong when we migrated?",
        "Since {date} the verification texts simply don't arrive. My mobile is {rp}, same as it has always been.",
        "The two-step code keeps going to a phone I no longer have. Please switch it to {rp} – I can confirm from {remail} if you need that.",
        "Login works on my laptop but the text message with the code never shows up. Username {ruser}, phone {rp}.",
        "I tried the 'resend code' button five times around {time}. Nothing on {rp}. Other people in {team} get theirs fine.",
        "My number is {rp} (that's my mobile), and my username is {ruser} in case you need to look me up.",
    ],
    "reset": [
        "I followed {help_url} and asked for a new password, but the link in the email ({reset}) says it has expired. I clicked it within two minutes.",
        "The reset link I got was\n{reset}\nand it just shows a 404 page. Same in Chrome and Firefox.",
        "When I open {reset} I get 'invalid or already used token'. Could that be because I requested two resets in a row?",
        "{mfirst} forwarded me their reset link by mistake: {reset} - could you invalidate it? I'd rather not have it lying around in my inbox.",
        "I never asked for a password reset, yet this morning I got a mail with {reset} in it. Is someone trying to get into my account?",
        "Your recovery page sent me {recover}, but after entering the code nothing happens.",
    ],
    "invite": [
        "We invited {mfull} ({memail}) on {date} but the invitation never arrived. The link shown in the admin panel is {invite}",
        "Could you resend the invite to {memail}? The previous one ({invite}) went to {oemail} by mistake, and that's someone outside the company, so please disable it.",
        "{mfirst} says the invitation link {invite} opens the login page for the wrong workspace.",
        "We're adding a consultant, {oname}, for three months. Can they get an account on {oemail} without a full licence?",
        "I sent an invitation to {m2email} twice. {m2first} checked spam and everything – nothing.",
    ],
    "card": [
        "We've been charged twice for invoice {inv} ({amount}). The card used was {card}, and the second charge is still pending.",
        "Please update the card on file to {card}, expiry 09/27. The old one ending in {l4} has been cancelled by the bank.",
        "Our accountant typed {card_bad} into the payment form and it was rejected, which makes sense since the right number is {card}.",
        "The receipt only shows {masked}, so I can't tell which of our company cards was used for order {order}.",
        "Payment for order {order} failed with card {card}. The error just says 'do not honour'.",
        "We pay the {prod} subscription with our Amex, {amex}. It was declined on {date} for {amount} even though the card works everywhere else.",
    ],
    "refund": [
        "Please refund the {amount} to our account {iban}.",
        "Our bank details have changed. New IBAN: {iban}, BIC {bic}. Please use it for the refund on {inv}.",
        "The refund seems to have been sent to {iban_bad}, which can't exist – the check digits are wrong. The correct account is {iban}.",
        "We paid invoice {inv} from iban:{iban_run}, on {date}, but your system still says unpaid.",
        "Our Norwegian subsidiary pays from {iban_no} and the Danish one from {iban_dk}; could both be linked to the same customer number?",
        "For the supplier payout we need to use their German account {iban_de} rather than the UK one {iban_gb}.",
        "Copied straight from the bank app: {iban_run}paid {date}. So it has left our account.",
        "The Dutch partner's account is {iban_nl} and the Finnish one is {iban_fi}, in case the import needs both.",
        "Our details, as printed on the contract: {iban_low}.",
        "Our bank statement shows the line '{iban_run}paid {amount}', so the money has definitely left us.",
        "From the statement export: {inv};{iban_run}transfer;{date}",
    ],
    "payroll": [
        "{mfull} started on {date}; personal identity number {pnr}. They need to be included in this month's payroll for {comp} (org. no. {orgnr}).",
        "We entered {pnr_bad} for a new hire and the system refused it. It was a typo – the correct number is {pnr}.",
        "One of our seasonal staff, {oname}, has coordination number {pnr_coord} because they aren't registered in Sweden yet. The form won't take it.",
        "Our company ID is {orgnr} - that's the organisation number, not a personal number. The employee's own number is {pnr}.",
        "The salary file rejects {pnr} for {mfirst}, but that's exactly what the Tax Agency letter says.",
        "Is {orgnr16} accepted as the employer id? Our payroll provider exports it with the 16 prefix.",
    ],
    "gdpr": [
        "A former customer, {oname}, has asked us to delete everything we hold about them. Email {oemail}, phone {ophone}. Can you confirm what's stored in {prod}?",
        "We received a subject access request from {oname} ({oemail}). They quote {gov} and want a copy within 30 days.",
        "Someone called {oname} phoned us on {ophone} asking why we have their data. How do we export everything linked to {oemail}?",
    ],
    "export": [
        "The export I ran on {date} produced this download link: {s3} - it had expired before our auditor opened it.",
        "Is it intentional that the download link ({gcs}) works without logging in? Anyone with it can fetch our ledger.",
        "Here's the link from the 'Share' dialog: {share}. {mfirst} gets 'access denied' when opening it.",
        "The nightly export job mails us {signed} but the file is always empty.",
    ],
    "ip": [
        "We saw a login to {ruser} from {ip} at {time} on {date} that none of us recognise.",
        "Please add {ip4} and {ip4b} to the allowlist for our office. Our VPN exits via {ip6}.",
        "The audit log shows {mfull} signing in from {ip6}, which I believe is our office IPv6 range, but can you double-check?",
        "Our firewall logs show {prod} calling out to {ip4} – is that one of your servers?",
    ],
    "contact": [
        "Please update {mfull}'s phone number to {mphone} and their email to {memail}.",
        "{mfirst} has a new mobile: {mphone}. The old number can be removed from the account.",
        "Our switchboard is {landline}, and for anything urgent you can reach {mfirst} directly on {mphone}.",
        "The billing contact should be {m2full} ({m2email}, {m2phone}) from now on, not me.",
    ],
    "unsub": [
        "I keep receiving the monthly newsletter although I've clicked unsubscribe ({unsub}) three times.",
        "The unsubscribe link {unsub} asks me to log in, which sort of defeats the purpose.",
    ],
    "api": [
        "Our integration broke after the update to {version}. The error page was {session} and the ticket number you gave us is {ticket}.",
        "We followed {docs} but the SSO callback lands on {jwt} and then loops back to the login page.",
        "Webhook deliveries have failed since {date}. {status} shows nothing, so I assume it's on our side?",
        "Our developer noticed that the app puts the session in the address bar: {session}. That can't be right?",
    ],
    "callback": [
        "Easiest is to call me: {rp}. Mornings work best.",
        "You can reach me on {rp}, or my colleague {mfirst} on {mphone}.",
        "If I don't pick up, text {rp} and I'll call you back.",
        "Could someone give me a ring on {rp} today? It's quicker than writing back and forth.",
        "I'm travelling this week, so please phone {rp} rather than the office number.",
    ],
    "public": [
        "I've read {help_url} and {docs}, but neither covers our case. {status} says all systems operational.",
        "We're on the Business plan ({pricing}), so I assumed this was included.",
        "The release notes at {blog} mention a fix, but we're still on {version} apparently.",
    ],
    "account": [
        "It looks like I have two accounts: {ruser} and one registered to {remail_up}. Can you merge them?",
        "I log in as {ruser}; the account email is {remail}. After the update I'm suddenly listed as a guest.",
        "My name is shown as '{rcaps}' in all caps on invoices – can that be fixed?",
        "Please change the display name on my account ({remail}) to {rfull}; it currently shows my username.",
    ],
    "verify": [
        "The verification email went to {memail} instead of to me. The link was {verify}",
        "I can't confirm my email address, {verify} just says 'already used'.",
    ],
    "magic": [
        "The sign-in link {magic} logged me in as {mfirst}! That looks like a serious bug.",
        "Magic links keep expiring before I can click them. Latest one: {magic}",
    ],
    "billing": [
        "The invoice lists the wrong organisation number. Ours is {own_orgnr}, not {orgnr}. Address: Box 713, {postal}.",
        "Could you add our PO reference to future invoices? Invoice {inv} for {amount} was paid on {date}.",
        "Our postal address changed: Kungsgatan 55, {postal}. Company registration number stays {own_orgnr}.",
        "The parcel with the card reader (tracking {tracking}) never arrived at our office in {city}.",
    ],
    "outsider": [
        "Our contact at the supplier is {oname}, {ophone}, {oemail}, if you need to confirm anything.",
        "The customer in question, {oname}, can be reached on {ophone}.",
        "I've copied our auditor {oname} ({oemail}) on this.",
    ],
}

EN_GREET = ["Hi,", "Hello,", "Hi there,", "Hello support,", "Dear support team,", "Hey,", "Good morning,",
            "Hi {agent},", "To whom it may concern,", "Hello again,"]
EN_OPEN = [
    "I'm writing on behalf of {comp}.", "Quick one today.", "Following up on {ticket}.",
    "I'm the admin for our account at {comp}.", "Sorry for the long mail.",
    "{rfull} here, {title} at {comp}.", "This is {rfirst} from {comp} again.", "My name is {rsplit} and I look after {prod} for {comp}.",
    "I'm writing about {rfirst}'s account – that's me – at {comp}.",
    "Hope you can help with a couple of things.", "",
]
EN_SIGN = [
    "Thanks,\n{rfirst}", "Best regards,\n{rfull}", "Cheers,\n{rfirst}",
    "Kind regards,\n\n{rfull}\n{title}, {comp}\n{rp}", "Regards,\n{rfull} | {comp} | {rp}",
    "– {rfirst}", "Thanks in advance!\n{rcaps}", "Best,\n{rfirst} {rlast}\nmob. {rp}\n{remail}",
    "Many thanks, {rsplit}", "Speak soon,\n{rfirst}\n\nSent from my phone", "BR\n{rlast}",
    "Thank you,\n{rfull}\n{title}\nT: {rp}", "Regards\n{rfirst}",
    "Best wishes,\n{rfull}\n{comp} · Drottninggatan 9, {postal}\nphone {rp}",
]
EN_SUBJ = ["Can't log in", "Invoice {inv} charged twice", "Re: your ticket {ticket}", "Bank details",
           "Urgent: export link", "New user", "Question about SSO", "Data deletion request",
           "Phone number on my account", "Re: Re: payroll file", "Refund for {order}"]
EN_CONNECT = ["Also, ", "One more thing: ", "Separately, ", "On a different note, ", "And ", "Related: ", "", "", ""]


# ---------------------------------------------------------------------------
# Swedish paragraphs
# ---------------------------------------------------------------------------

SV_TOPICS = {
    "sms": [
        "Jag får inga sms-koder när jag loggar in. Numret i min profil ska vara {rp}, kan ni kolla att det sparades rätt vid flytten?",
        "Sedan {date} kommer inga verifieringskoder alls. Mitt mobilnummer är {rp}, samma som alltid.",
        "Tvåstegsverifieringen skickar koden till en telefon jag inte har längre. Byt gärna till {rp}. Användarnamn: {ruser}.",
        "Inloggningen funkar på datorn men sms:et med koden kommer aldrig. Jag har testat 'skicka igen' flera gånger runt kl. {time}.",
        "Mitt nummer är {rp} och jag loggar in som {ruser}, om ni behöver leta upp mig.",
        "Koden ska gå till {rp} men den går tydligen till {mfirst}s telefon i stället?!",
    ],
    "reset": [
        "Jag följde instruktionen på {help_url} och bad om nytt lösenord, men länken i mejlet ({reset}) säger att den har gått ut.",
        "Återställningslänken jag fick var\n{reset}\nmen den ger bara ett felmeddelande.",
        "När jag öppnar {reset} står det 'ogiltig länk'. Beror det på att jag begärde två återställningar efter varandra?",
        "{mfirst} skickade sin återställningslänk till mig av misstag: {reset} – kan ni spärra den?",
        "Jag har inte bett om något nytt lösenord, men i morse kom ett mejl med {reset}. Försöker någon ta sig in?",
        "Återställningssidan gav mig {recover}, men efter att jag skrivit in koden händer ingenting.",
    ],
    "invite": [
        "Vi bjöd in {mfull} ({memail}) den {date} men inbjudan har inte kommit fram. Länken i adminpanelen är {invite}",
        "Kan ni skicka om inbjudan till {memail}? Den förra ({invite}) hamnade hos {oemail}, som inte jobbar hos oss, så stäng den gärna.",
        "{mfirst} säger att inbjudningslänken {invite} öppnar inloggningen för fel organisation.",
        "Vi tar in en konsult, {oname}, i tre månader. Kan hen få ett konto på {oemail} utan full licens?",
        "Jag har bjudit in {m2email} två gånger. {m2first} har kollat skräpposten också – inget.",
    ],
    "card": [
        "Vi har blivit dragna två gånger för faktura {inv} ({amount}). Kortet var {card} och den andra dragningen ligger fortfarande som reserverad.",
        "Byt gärna kortet till {card}, giltigt t.o.m. 09/27. Det gamla som slutar på {l4} är spärrat.",
        "Vår ekonom skrev in {card_bad} och fick fel, vilket är logiskt eftersom rätt nummer är {card}.",
        "På kvittot står bara {masked}, så jag vet inte vilket av företagskorten som användes för order {order}.",
        "Betalningen för order {order} gick inte igenom med kort {card}. Felet säger bara 'nekad'.",
        "Vi betalar {prod} med vårt Amex, {amex}. Det nekades {date} för {amount} fast kortet funkar överallt annars.",
    ],
    "refund": [
        "Återbetala gärna {amount} till vårt konto {iban}.",
        "Vi har bytt bank. Nytt IBAN: {iban}, BIC {bic}. Använd det för återbetalningen av {inv}.",
        "Återbetalningen verkar ha skickats till {iban_bad}, som inte kan finnas – kontrollsiffrorna stämmer inte. Rätt konto är {iban}.",
        "Vi betalade faktura {inv} från iban:{iban_run}, den {date}, men hos er står den som obetald.",
        "Enligt banken: konto {iban_run}betalt {date}. Ändå har vi fått en påminnelse.",
        "Vårt norska dotterbolag betalar från {iban_no} och det danska från {iban_dk}. Kan båda kopplas till samma kundnummer?",
        "Utbetalningen till leverantören ska gå till {iban_low} enligt deras senaste mejl.",
        "På kontoutdraget står det '{iban_run}betalt {amount}', så pengarna har gått iväg.",
        "Ur bankens export: {iban_run}överföring {date} – referens {inv}.",
    ],
    "payroll": [
        "{mfull} börjar hos oss {date}, personnummer {pnr}. Hen behöver komma med i lönekörningen för {comp} (org.nr {orgnr}).",
        "Vi skrev in {pnr_bad} för en nyanställd och systemet sa nej. Det var ett skrivfel, rätt nummer är {pnr}.",
        "En av våra säsongsanställda, {oname}, har samordningsnummer {pnr_coord} eftersom hen inte är folkbokförd än. Formuläret godtar det inte.",
        "Vårt organisationsnummer är {orgnr} – alltså inget personnummer. Den anställdas personnummer är {pnr}.",
        "Lönefilen vägrar ta {pnr} för {mfirst}, men det är exakt det som står på beskedet från Skatteverket.",
        "Godtas {orgnr16} som arbetsgivar-id? Lönesystemet exporterar det med 16 före.",
        "Vår äldsta medlem i föreningen är över hundra och har personnummer {pnr_old}. Fältet vill inte ta plustecknet.",
    ],
    "gdpr": [
        "En tidigare kund, {oname}, vill att vi raderar allt vi har om hen. E-post {oemail}, telefon {ophone}. Vad finns lagrat i {prod}?",
        "Vi har fått en begäran om registerutdrag från {oname} ({oemail}). Hen hänvisar till {gov} och vill ha svar inom en månad.",
        "En person som heter {oname} ringde från {ophone} och undrade varför vi har hens uppgifter. Hur exporterar vi allt som hör till {oemail}?",
    ],
    "export": [
        "Exporten jag körde {date} gav den här länken: {s3} – den hade gått ut innan revisorn hann öppna den.",
        "Är det meningen att nedladdningslänken ({gcs}) fungerar utan inloggning? Vem som helst med länken kan ju hämta vår huvudbok.",
        "Här är länken från dela-dialogen: {share}. {mfirst} får 'åtkomst nekad'.",
        "Nattexporten mejlar oss {signed} men filen är alltid tom.",
    ],
    "ip": [
        "Vi ser en inloggning på {ruser} från {ip} kl. {time} den {date} som ingen av oss känner igen.",
        "Lägg till {ip4} och {ip4b} bland tillåtna adresser för kontoret. VPN:et går ut via {ip6}.",
        "I granskningsloggen syns {mfull} logga in från {ip6}. Det är väl vårt kontorsnät, men kan ni dubbelkolla?",
        "Brandväggen visar att {prod} pratar med {ip4} – är det en av era servrar?",
    ],
    "contact": [
        "Uppdatera gärna {mfull}s telefonnummer till {mphone} och e-post till {memail}.",
        "{mfirst} har nytt mobilnummer: {mphone}. Det gamla kan tas bort.",
        "Växeln når ni på {landline}, och vid brådskande ärenden {mfirst} direkt på {mphone}.",
        "Fakturakontakt är från och med nu {m2full} ({m2email}, tfn {m2phone}), inte jag.",
    ],
    "unsub": [
        "Jag får fortfarande nyhetsbrevet fast jag klickat på avregistreringslänken ({unsub}) tre gånger.",
        "Avregistreringslänken {unsub} kräver inloggning, vilket ju är lite meningslöst.",
    ],
    "api": [
        "Integrationen slutade fungera efter uppdateringen till {version}. Felsidan låg på {session} och ärendenumret ni gav oss är {ticket}.",
        "Vi följde {docs} men SSO-återhoppet landar på {jwt} och sedan loopar det tillbaka till inloggningen.",
        "Webhookarna har fallerat sedan {date}. {status} visar inget, så det är väl hos oss?",
        "Vår utvecklare såg att sessionen ligger i adressfältet: {session}. Det kan väl inte stämma?",
    ],
    "callback": [
        "Enklast är att ringa mig: {rp}. Förmiddagar passar bäst.",
        "Ni når mig på {rp} eller min kollega {mfirst} på {mphone}.",
        "Svarar jag inte, skicka ett sms till {rp} så ringer jag upp.",
        "Kan någon ringa mig på {rp} i dag? Det går fortare än att mejla fram och tillbaka.",
        "Jag är på resande fot den här veckan, så ring hellre mobilen {rp} än kontoret.",
        "Tel. {rp} (dagtid)",
    ],
    "public": [
        "Jag har läst {help_url} och {docs}, men inget av det täcker vårt fall. Enligt {status} är allt i drift.",
        "Vi har Företagspaketet ({pricing}) så jag trodde att funktionen ingick.",
        "I versionsnyheterna på {blog} står det att felet är åtgärdat, men vi verkar fortfarande köra {version}.",
    ],
    "account": [
        "Det verkar som att jag har två konton: {ruser} och ett som är registrerat på {remail_up}. Kan ni slå ihop dem?",
        "Jag loggar in som {ruser}; e-posten på kontot är {remail}. Efter uppdateringen står jag plötsligt som gäst.",
        "Mitt namn står som '{rcaps}' med versaler på alla fakturor – går det att ändra?",
        "Byt gärna visningsnamnet på mitt konto ({remail}) till {rfull}, nu visas bara användarnamnet.",
    ],
    "verify": [
        "Verifieringsmejlet gick till {memail} i stället för till mig. Länken var {verify}",
        "Jag kan inte bekräfta min e-postadress, {verify} säger bara 'redan använd'.",
    ],
    "magic": [
        "Inloggningslänken {magic} loggade in mig som {mfirst}! Det måste väl vara en allvarlig bugg?",
        "Inloggningslänkarna hinner gå ut innan jag klickar. Senaste: {magic}",
    ],
    "billing": [
        "Fakturan har fel organisationsnummer. Vårt är {own_orgnr}, inte {orgnr}. Adress: Box 713, {postal}.",
        "Kan ni lägga till vår referens på kommande fakturor? Faktura {inv} på {amount} betalades {date}.",
        "Paketet med kortläsaren (kolli-id {tracking}) har aldrig kommit till kontoret i {city}.",
        "Vi flyttar den 1:a. Ny adress: Hamngatan 4, {postal}. Orgnr {own_orgnr} är oförändrat.",
        "Skicka fakturorna till Box 1042, {postal}, och märk dem med {inv}. Vårt orgnr är {own_orgnr}, moms ingår i {amount}.",
    ],
    "outsider": [
        "Vår kontakt hos leverantören är {oname}, {ophone}, {oemail}, om ni behöver stämma av något.",
        "Kunden det gäller, {oname}, nås på {ophone}.",
        "Jag har satt vår revisor {oname} ({oemail}) på kopia.",
    ],
}

SV_GREET = ["Hej,", "Hej!", "Hejsan,", "Hej support,", "God morgon,", "Hej igen,", "Tjena,", "Hej {agent},",
            "Hallå,", "Goddag,"]
SV_OPEN = ["Jag skriver för {comp}s räkning.", "En snabb fråga.", "Återkommer angående {ticket}.",
           "Jag är administratör för vårt konto hos er.", "Ursäkta det långa mejlet.",
           "Det är {rfull}, {title} på {comp}.", "Jag heter {rsplit} och är ansvarig för {prod} hos oss.",
           "Det gäller {rfull}s konto, alltså mitt.", "{rfirst} på {comp} igen.", "Hoppas ni kan hjälpa till med ett par saker.", ""]
SV_SIGN = [
    "Mvh\n{rfull}", "Vänliga hälsningar\n{rfirst}", "Tack på förhand!\n/{rfirst}",
    "Med vänlig hälsning\n\n{rfull}\n{title}\n{comp}\nTel. {rp}\nE-post: {remail}",
    "Hälsningar {rfirst}", "/{rfirst} på {comp}", "MVH {rcaps}", "Vh\n{rfirst} {rlast}\nMobil {rp}",
    "Tack!\n{rfull}", "Mvh {rsplit}", "Hälsningar,\n{rlast}\nEkonomi", "Ha det bra!\n{rfirst}",
    "Vänligen\n{rfull}\n{comp}, Sveavägen 20, {postal}\nTfn {rp}",
]
SV_SUBJ = ["Kan inte logga in", "Dubbeldebitering faktura {inv}", "Sv: ärende {ticket}", "Nya bankuppgifter",
           "Fråga om export", "Ny användare", "Registerutdrag", "SV: SV: lönefil", "Återbetalning {order}",
           "Fel orgnr på faktura"]
SV_CONNECT = ["Dessutom: ", "En sak till: ", "Och så ", "Apropå det: ", "Sedan ", "", "", ""]

# ---------------------------------------------------------------------------
# mixed English/Swedish and Norwegian/Danish snippets
# ---------------------------------------------------------------------------

MIX_LINES = [
    "Hej! Quick question om fakturan {inv} – vi debiterades {amount} but the contract says something else.",
    "Sorry för svengelskan, men {mfirst} har inte fått sin invite. Mejlen är {memail}.",
    "Kan ni ringa mig? My number is {rp}, I'm available after lunch.",
    "We updated our bank details: IBAN {iban}. Tack på förhand!",
    "Our auditor {oname} needs read access – hens mejl är {oemail}.",
    "Länken {reset} funkar inte, it just says 'token expired'.",
    "FYI: login från {ip} igår kväll, not one of ours as far as I know.",
    "Personnumret är {pnr}, and the org number is {orgnr} – de ska inte blandas ihop.",
    "The card {card} was declined, fast det finns pengar på kontot.",
    "Please use {iban_run}, tack – the old account is closed.",
    "Statement says {iban_run}betalt, so it's paid från vår sida.",
    "Export-länken {s3} har gått ut. Can you regenerate it?",
    "Min kollega {mfull} ({mphone}) will handle this while I'm away.",
    "Ring {rp} if anything, annars mejla {remail}.",
    "Enligt {help_url} should this work, men det gör det inte.",
    "Vi kör {version} på alla datorer, so it's not an old client.",
]

NO_LINES = [
    "Hei! Jeg får ikke logget inn. Mobilen min er {rp} – please call me if you need more info.",
    "Kontonummeret vårt er {iban_no}. Takk for hjelpen!",
    "Kan dere sende invitasjonen på nytt til {memail}? Lenken {invite} virker ikke.",
    "Ring meg gjerne på {rp}, jeg sitter på kontoret hele dagen.",
    "Vi har fått en e-post fra {oname} ({oemail}) som vil ha slettet alle opplysninger.",
    "Sentralbordet vårt er {phone_no}, men {mfirst} har direktenummer {mphone}.",
]
DK_LINES = [
    "Hej, jeg kan ikke nulstille min adgangskode. Linket {reset} virker ikke. Ring gerne på {rp}.",
    "Vores IBAN er {iban_dk}, og fakturaen er {inv}.",
    "Kan I sende invitationen igen til {memail}? {mfirst} har ikke fået noget.",
    "Mit nummer er {rp}, hvis I hellere vil ringe.",
    "En tidligere kunde, {oname}, har bedt om indsigt. Hun kan fanges på {ophone}.",
    "Vores hovednummer er {phone_dk}.",
]
NO_GREET = ["Hei,", "Hei!", "Hallo,", "God morgen,"]
NO_SIGN = ["Med vennlig hilsen\n{rfull}", "Mvh\n{rfirst}", "Takk!\n{rfirst}\n{rp}", "Hilsen {rfull}"]
DK_GREET = ["Hej,", "Hej!", "Goddag,", "Kære support,"]
DK_SIGN = ["Venlig hilsen\n{rfull}", "Mvh\n{rfirst}", "Tak!\n{rfirst}\nTlf. {rp}", "Bedste hilsner\n{rfull}"]


def topics_for(c):
    if c.lang == "en":
        return EN_TOPICS
    if c.lang == "sv":
        return SV_TOPICS
    return EN_TOPICS if c.chance(0.5) else SV_TOPICS


def paragraph(c, used=None):
    """One free-text paragraph, picked so that one message does not repeat a topic."""
    if c.lang == "mixed" and c.chance(0.45):
        rc = c.reporter.country
        if rc == "NO" and c.chance(0.6):
            return P(c, NO_LINES)
        if rc == "DK" and c.chance(0.6):
            return P(c, DK_LINES)
        return P(c, MIX_LINES)
    pool = topics_for(c)
    names = [k for k in pool if not used or k not in used]
    k = c.ch(names or list(pool))
    if used is not None:
        used.add(k)
    return P(c, pool[k])


def paragraphs(c, lo=1, hi=3):
    used = set()
    out = []
    n = c.rng.randint(lo, hi)
    conn = EN_CONNECT if c.lang == "en" else SV_CONNECT
    for i in range(n):
        if i:
            out.append("\n\n")
            cw = c.ch(conn)
            if cw:
                out.append(cw)
                p = paragraph(c, used)
                # lower-case the first letter of the paragraph after a connector, when it is plain text
                if p and isinstance(p[0], str) and p[0][:1].isupper() and not re.match(r"I\b", p[0]):
                    p = [p[0][0].lower() + p[0][1:]] + list(p[1:])
                out.append(p)
                continue
        out.append(paragraph(c, used))
    return out


def greet(c):
    rc = c.reporter.country
    if c.lang == "mixed" and rc == "NO":
        return P(c, NO_GREET)
    if c.lang == "mixed" and rc == "DK":
        return P(c, DK_GREET)
    if c.lang == "en" or (c.lang == "mixed" and c.chance(0.5)):
        return P(c, EN_GREET)
    return P(c, SV_GREET)


def opener(c):
    if c.lang == "en" or (c.lang == "mixed" and c.chance(0.4)):
        return P(c, EN_OPEN)
    return P(c, SV_OPEN)


def signoff(c):
    rc = c.reporter.country
    if c.lang == "mixed" and rc == "NO":
        return P(c, NO_SIGN)
    if c.lang == "mixed" and rc == "DK":
        return P(c, DK_SIGN)
    if c.lang == "en" or (c.lang == "mixed" and c.chance(0.5)):
        return P(c, EN_SIGN)
    return P(c, SV_SIGN)


def subject(c):
    if c.lang == "en" or (c.lang == "mixed" and c.chance(0.5)):
        return P(c, EN_SUBJ)
    return P(c, SV_SUBJ)


def is_en(c):
    return c.lang == "en" or (c.lang == "mixed" and c.chance(0.5))


# ---------------------------------------------------------------------------
# style: plain email
# ---------------------------------------------------------------------------


def style_plain(c):
    out = []
    if c.chance(0.3):
        out += ["Subject: " if c.lang != "sv" else c.ch(["Ämne: ", "Subject: "]), subject(c), "\n\n"]
    out += [greet(c), "\n\n"]
    op = opener(c)
    if any(isinstance(x, Tok) or (isinstance(x, str) and x.strip()) for x in flatten(op)):
        out += [op, " " if c.chance(0.5) else "\n\n"]
    out += [paragraphs(c, 1, 3)]
    if c.chance(0.2):
        out += ["\n\n", "PS. " if c.lang != "en" else "P.S. ", paragraph(c)]
    out += ["\n\n", signoff(c)]
    return out


# ---------------------------------------------------------------------------
# style: forwarded thread
# ---------------------------------------------------------------------------

EN_FWD_NOTE = [
    "See below – forwarding this from a colleague. Can you have a look?",
    "FYI, this came in yesterday. I think it's for you rather than us.",
    "Forwarding as discussed on the phone. {ticket} is the case number you gave me.",
    "{mfirst} sent me this; I have no idea what's going on. Please advise.",
    "Please see the thread below. Short version: the export link leaked to someone outside the company.",
    "Passing this on. Note that {sfirst} is not a user in {prod}, just our contact.",
    "Adding you to this. The customer is getting impatient.",
]
SV_FWD_NOTE = [
    "Se nedan – vidarebefordrar från en kollega. Kan ni titta på det?",
    "För kännedom, detta kom in i går. Jag tror det är till er snarare än oss.",
    "Vidarebefordrar som vi pratade om i telefon. Ärendenumret ni gav mig var {ticket}.",
    "{mfirst} skickade det här till mig och jag förstår inte vad som hänt. Hjälp!",
    "Se tråden nedan. Kort sagt: exportlänken har hamnat hos någon utanför företaget.",
    "Skickar vidare. Obs att {sfirst} inte är användare i {prod}, bara vår kontakt.",
    "Lägger till er här. Kunden börjar bli otålig.",
]
EN_FWD_BODY = [
    "Hi {rfirst},\n\nCould you pass this on to {prod} support? Since {date} I can't see the invoices for {comp}. If they want to call, my number is {sphone}.",
    "Hello {rfirst},\n\nI clicked the link you sent ({url}) and it asked me to sign in as you. Is that right? I don't want to mess anything up.",
    "Hi {rfirst},\n\nI think this is about {rfirst}'s login rather than mine – your name is on the account. Call me on {sphone} if unclear.",
    "Hi,\n\nWe still haven't received the refund of {amount} for order {order}. Our account is {iban}. Please confirm when it's sent.",
    "Dear {rfirst},\n\nplease find our new bank details below.\n\nIBAN: {iban}\nBIC: {bic}\nOrg. no: {orgnr}\n\nInvoices after {date} should be paid to this account.",
    "{rfirst} – the new starter's details for payroll: {oname}, personal number {pnr}, mobile {ophone}. Start date {date}.",
    "Hi both,\n\nthe login from {ip} was me, I was working from the hotel. Sorry for the scare! You can reach me on {sphone} today.",
    "Hi {rfirst},\n\nI've been charged for {prod} with my private card {card} by mistake. Could you ask them to move it to the company card?",
]
SV_FWD_BODY = [
    "Hej {rfirst}!\n\nKan du skicka vidare det här till supporten på {prod}? Sedan {date} ser jag inga fakturor för {comp}. Vill de ringa når de mig på {sphone}.",
    "Hej {rfirst},\n\njag klickade på länken du skickade ({url}) och då bad den mig logga in som dig. Är det rätt?",
    "Hej {rfirst}!\n\nDet här gäller nog {rfirst}s inloggning och inte min – det är ditt namn på kontot. Ring {sphone} om något är oklart.",
    "Hej,\n\nvi har fortfarande inte fått återbetalningen på {amount} för order {order}. Vårt konto är {iban}. Bekräfta gärna när den är skickad.",
    "Hej {rfirst},\n\nhär kommer våra nya bankuppgifter.\n\nIBAN: {iban}\nBIC: {bic}\nOrg.nr: {orgnr}\n\nFakturor efter {date} ska betalas till detta konto.",
    "{rfirst} – uppgifter om nyanställd till lönen: {oname}, personnummer {pnr}, mobil {ophone}. Börjar {date}.",
    "Hej båda,\n\ninloggningen från {ip} var jag, jag jobbade från hotellet. Förlåt för oron! Ni når mig på {sphone} i dag.",
    "Hej {rfirst},\n\njag har blivit debiterad för {prod} på mitt privata kort {card} av misstag. Kan du be dem flytta det till företagskortet?",
]
EN_FWD_SIGN = ["Thanks,\n{sfirst}", "Best regards,\n{sname}", "/{sfirst}", "Kind regards\n{sname}\n{sphone}", "Cheers, {sfirst}"]
SV_FWD_SIGN = ["Tack,\n{sfirst}", "Mvh\n{sname}", "/{sfirst}", "Vänliga hälsningar\n{sname}\n{sphone}", "Hälsningar {sfirst}"]


def en_date(c, back):
    t = c.now - timedelta(days=back, minutes=c.rng.randint(0, 900))
    return t, D("date", f"{EN_DAYS[t.weekday()]}, {t.day} {EN_MONTHS[t.month - 1][:3]} {t.year} at {t:%H:%M}")


def sv_date(c, back):
    t = c.now - timedelta(days=back, minutes=c.rng.randint(0, 900))
    return t, D("date", c.ch([f"{SV_DAYS[t.weekday()]} {t.day} {SV_MON3[t.month - 1]} {t.year} kl. {t:%H:%M}",
                              f"den {t.day} {SV_MONTHS[t.month - 1]} {t.year} {t:%H:%M}",
                              f"{t:%Y-%m-%d %H:%M}"]))


def style_forward(c):
    en = is_en(c)
    # the original sender: a member of the organisation, or someone outside it
    if c.chance(0.6):
        sp = c.mem()
        sname, sfirst = S("name", sp.full), S("name", sp.first)
    else:
        sp = c.outsider()
        sname, sfirst = D("non-member name", sp.full), D("non-member name", sp.first)
    semail = c.email_tok(sp.email, c.ch(["plain", "plain", "plain", "upper", "plus"]))
    sphone = S("phone", c.ch(list(sp.phone.formats().values())))
    extra = dict(sname=sname, sfirst=sfirst, semail=semail, sphone=sphone)
    out = [greet(c), "\n\n"] if c.chance(0.6) else []
    notes = EN_FWD_NOTE if en else SV_FWD_NOTE
    if sp in c.members:
        notes = [n for n in notes if "{sfirst}" not in n]
    out += [P(c, notes, **extra)]
    if c.chance(0.4):
        out += ["\n\n", paragraph(c)]
    out += ["\n\n", signoff(c) if c.chance(0.5) else P(c, ["/{rfirst}", "{rfirst}", "– {rfirst}", "Mvh {rfirst}" if not en else "Thanks, {rfirst}"]), "\n\n"]
    c.allow_split = False
    _, d1 = (en_date if en else sv_date)(c, c.rng.randint(1, 6))
    to_line = [c.Rfull(), " <", c.Remail(), ">"] if c.chance(0.7) else [c.Remail()]
    cc = None
    if c.chance(0.4):
        m2 = c.mem()
        if m2 is not sp:
            cc = [c.Mname(m2, "full"), " <", c.Memail(m2, "plain"), ">"]
    subj = P(c, EN_SUBJ if en else SV_SUBJ)
    if sp in c.members and c.chance(0.3):
        sender = [S("name", sp.last), ", ", S("name", sp.first), " <", semail, ">"]
    else:
        sender = [sname, " <", semail, ">"]
    kind = c.rng.randint(0, 3)
    if en and kind == 0:
        hdr = ["---------- Forwarded message ---------\nFrom: ", sender, "\nDate: ", d1, "\nSubject: ", subj, "\nTo: ", to_line, ["\nCc: ", cc] if cc else "", "\n\n"]
    elif en and kind == 1:
        hdr = ["-----Original Message-----\nFrom: ", sender, "\nSent: ", d1, "\nTo: ", to_line, ["\nCc: ", cc] if cc else "", "\nSubject: ", subj, "\n\n"]
    elif en:
        hdr = ["Begin forwarded message:\n\nFrom: ", sender, "\nSubject: ", subj, "\nDate: ", d1, "\nTo: ", to_line, "\n\n"]
    elif kind in (0, 2):
        hdr = ["-------- Vidarebefordrat meddelande --------\nFrån: ", sender, "\nDatum: ", d1, "\nTill: ", to_line, ["\nKopia: ", cc] if cc else "", "\nÄmne: ", subj, "\n\n"]
    else:
        hdr = ["Från: ", sender, "\nSkickat: ", d1, "\nTill: ", to_line, ["\nKopia: ", cc] if cc else "", "\nÄmne: ", subj, "\n\n"]
    out += [hdr]
    body_en = en if c.lang != "mixed" else c.chance(0.5)
    out += [P(c, EN_FWD_BODY if body_en else SV_FWD_BODY, **extra), "\n\n", P(c, EN_FWD_SIGN if body_en else SV_FWD_SIGN, **extra)]
    if c.chance(0.55):
        t, d2 = (en_date if body_en else sv_date)(c, c.rng.randint(7, 14))
        if body_en:
            head = ["\n\nOn ", d2, ", ", c.Rfull(), " <", c.Remail(), "> wrote:\n"]
        else:
            head = ["\n\nDen ", d2, " skrev ", c.Rfull(), " <", c.Remail(), ">:\n"]
        inner = [greet(c), "\n\n", paragraph(c), "\n\n", signoff(c)]
        out += [head, prefix_lines(inner)]
    c.allow_split = True
    return out


# ---------------------------------------------------------------------------
# style: log excerpt
# ---------------------------------------------------------------------------

EN_LOG_INTRO = [
    "Here is what our server logged around the time it happened ({date}):",
    "Pasting the relevant part of the log below. The failed logins are for {ruser}.",
    "Our IT person pulled this from the proxy log. Look at the lines around {time}.",
    "Logs from our side, in case they help with {ticket}:",
    "This is from the integration log on our end. We're on {version}.",
    "Below is an excerpt of the audit log export. I've removed nothing.",
]
SV_LOG_INTRO = [
    "Här är vad vår server loggade ungefär när det hände ({date}):",
    "Klistrar in den relevanta delen av loggen nedan. De misslyckade inloggningarna gäller {ruser}.",
    "Vår IT-tekniker tog fram det här ur proxyloggen. Titta på raderna runt kl. {time}.",
    "Loggar från vår sida, ifall de hjälper med {ticket}:",
    "Det här är från integrationsloggen hos oss. Vi kör {version}.",
    "Nedan ett utdrag ur granskningsloggen. Jag har inte tagit bort något.",
]
EN_LOG_OUTRO = [
    "As you can see the SMS is sent but never arrives.", "Any idea what the 403s are about?",
    "The last line repeats every few minutes.", "Let me know if you need more lines.",
    "We didn't change anything on our side.", "Is the reset link supposed to be logged in clear text like that?",
]
SV_LOG_OUTRO = [
    "Som ni ser skickas sms:et men det kommer aldrig fram.", "Har ni någon aning om vad 403:orna beror på?",
    "Sista raden upprepas med några minuters mellanrum.", "Säg till om ni behöver fler rader.",
    "Vi har inte ändrat något på vår sida.", "Ska återställningslänken verkligen loggas i klartext så där?",
]
PATHS = ["/login", "/logout", "/api/v2/invoices?page=2", "/api/v2/invoices", "/settings/profile", "/settings/security",
         "/reports/monthly", "/api/v2/export", "/dashboard", "/static/app.js", "/api/v2/users/me", "/favicon.ico",
         "/sv/fakturor", "/api/v1/health"]
UAS = ["Firefox/125.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko Firefox/125.0",
       "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) Safari/605.1", "okhttp/4.12", "python-requests/2.31",
       "KundhubSync/3.2"]
LEVELS = ["INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"]


class LogClock:
    def __init__(self, c):
        self.c = c
        self.t = c.now - timedelta(minutes=c.rng.randint(30, 300))

    def tick(self):
        self.t += timedelta(seconds=self.c.rng.randint(0, 95), milliseconds=self.c.rng.randint(0, 999))
        return self.t


def other_user(c):
    r = c.rng.random()
    if r < 0.5:
        return c.Ruser()
    if r < 0.6:
        return c.Remail("as")
    if r < 0.85:
        return c.Memail(variant="plain")
    return c.Oemail(variant="plain")


def log_event(c):
    """(level, event name, list of key=value tokens)"""
    r = c.rng.randint(0, 15)
    u = other_user(c)
    if r == 0:
        return "INFO", "auth.login.success", [["user=", u], ["ip=", c.ip()], "mfa=sms"]
    if r == 1:
        return "WARN", "auth.login.failed", [["user=", u], ["ip=", c.ip()], "reason=bad_password", f"attempt={c.rng.randint(1, 6)}"]
    if r == 2:
        ph = c.Rphone_profile() if c.chance(0.6) else S("phone", c.ch([c.phone().text, c.phone("SE").text]).replace(" ", ""))
        return "INFO", "mfa.sms.sent", [["user=", c.Ruser()], ["to=", ph], f"provider={c.ch(['twilio', '46elks', 'sinch'])}", "status=queued"]
    if r == 3:
        return "INFO", "password.reset.requested", [["user=", c.Ruser()], ["email=", c.Remail("as")], ["ip=", c.ip()]]
    if r == 4:
        return "DEBUG", "password.reset.mail", [["to=", c.Remail("as")], ["link=", c.surl("reset")]]
    if r == 5:
        return "INFO", "invitation.sent", [["by=", c.Ruser()], ["to=", c.Memail(variant="plain")], ["url=", c.surl("invite")]]
    if r == 6:
        return "INFO", "export.ready", [["user=", u], ["download=", c.surl(c.ch(["s3", "gcs", "signed"]))]]
    if r == 7:
        return "ERROR", "payment.declined", [["user=", u], ["card=", D("masked card", f"****{c.tok(4, '0123456789')}")], ["amount=", D("amount", f"{c.rng.randint(99, 9999)}.00")], ["order=", c.order()]]
    if r == 8:
        return "INFO", "http.request", [f"method={c.ch(['GET', 'POST'])}", f"path={c.ch(PATHS)}", f"status={c.ch([200, 200, 302, 403, 404, 500])}", f"dur_ms={c.rng.randint(4, 2400)}", ["ip=", c.ip()]]
    if r == 9:
        return "WARN", "ratelimit.hit", [["ip=", c.ip6() if c.chance(0.5) else c.ip4()], "path=/login", f"count={c.rng.randint(20, 90)}"]
    if r == 10:
        m = c.mem()
        return "INFO", "user.updated", [["actor=", c.Ruser()], ["target=", c.Memail(m, "plain")], "field=phone", ["new=", S("phone", m.phone.e164)]]
    if r == 11:
        return "DEBUG", "sso.callback", [["redirect=", c.surl("jwt")]]
    if r == 12:
        return "INFO", "session.start", [["user=", u], ["ip=", c.ip()], ["referer=", c.surl("session") if c.chance(0.5) else c.purl("help")]]
    if r == 13:
        return "INFO", "mail.sent", [["to=", c.email()], "template=" + c.ch(["invoice_reminder", "welcome", "receipt"]), ["invoice=", c.invoice()]]
    if r == 14:
        return "WARN", "auth.new_device", [["user=", c.Ruser()], ["ip=", c.ip()], f"ua=\"{c.ch(UAS)}\""]
    return "INFO", "client.version", [["user=", u], ["version=", c.version()], ["ip=", c.ip4()]]


def kv_join(items):
    out = []
    for i, it in enumerate(items):
        if i:
            out.append(" ")
        out.append(it)
    return out


def log_line(c, fam, clk):
    t = clk.tick()
    if fam == "kv":
        lvl, ev, kv = log_event(c)
        ts = D("timestamp", t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}")
        return [ts, f" {lvl:<5} [{ev.split('.')[0]}] {ev} ", kv_join(kv)]
    if fam == "iso":
        lvl, ev, kv = log_event(c)
        ts = D("timestamp", t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z")
        return [ts, f" level={lvl.lower()} msg=\"{ev}\" ", kv_join(kv)]
    if fam == "json":
        lvl, ev, kv = log_event(c)
        ts = D("timestamp", t.strftime("%Y-%m-%dT%H:%M:%SZ"))
        parts = ['{"ts":"', ts, f'","level":"{lvl.lower()}","event":"{ev}"']
        for item in kv:
            if isinstance(item, str):
                k, v = item.split("=", 1)
                parts += [f',"{k}":"{v.strip(chr(34))}"']
            else:
                k = item[0].rstrip("=")
                parts += [f',"{k}":"', item[1], '"']
        parts.append("}")
        return parts
    if fam == "nginx":
        ip = c.ip()
        user = c.Ruser() if c.chance(0.3) else "-"
        ts = D("timestamp", t.strftime("%d/%b/%Y:%H:%M:%S +0200"))
        path = c.ch(PATHS)
        st = c.ch([200, 200, 200, 304, 302, 403, 404, 499, 502])
        ref = c.ch(["-", "-", c.surl("session"), c.purl("help"), c.surl("jwt") if c.chance(0.2) else "-"])
        return [ip, " - ", user, " [", ts, f'] "{c.ch(["GET", "GET", "POST"])} {path} HTTP/1.1" {st} {c.rng.randint(120, 98000)} "', ref, f'" "{c.ch(UAS)}"']
    if fam == "mail":
        ts = D("timestamp", f"{EN_MONTHS[t.month - 1][:3]} {t.day:>2} {t:%H:%M:%S}")
        qid = "".join(c.ch("ABCDEF") if k % 3 == 0 else c.ch("0123456789") for k in range(10))
        to = c.email()
        ip = c.ip4()
        stt = c.ch(["sent (250 2.0.0 Ok: queued)", "deferred (451 4.7.1 try again later)", "bounced (550 5.1.1 user unknown)"])
        return [ts, f" mx{c.rng.randint(1, 3)} postfix/smtp[{c.rng.randint(1000, 32000)}]: {qid}: to=<", to, f">, relay=mx.{c.ch(['example.net', 'mail.example.org', c.domain])}[", ip, f"]:25, delay={c.rng.randint(0, 9)}.{c.rng.randint(0, 9)}, dsn={re.search(r"\d\.\d\.\d", stt).group()}, status={stt}"]
    # sms gateway
    ts = D("timestamp", t.strftime("%Y-%m-%d %H:%M:%S"))
    ph = c.Rphone_profile() if c.chance(0.5) else (c.Rphone(split=False) if c.chance(0.3) else c.phone())
    return [ts, " | SMS | to ", ph, f" | template={c.ch(['otp', 'otp', 'reminder'])} | status={c.ch(['DELIVERED', 'SENT', 'FAILED', 'EXPIRED'])} | user=", c.Ruser() if c.chance(0.7) else "-"]


def style_log(c):
    en = is_en(c)
    out = []
    if c.chance(0.5):
        out += [greet(c), "\n\n"]
    out += [P(c, EN_LOG_INTRO if en else SV_LOG_INTRO), "\n\n"]
    fams = c.rng.sample(["kv", "iso", "json", "nginx", "mail", "sms"], c.ch([1, 1, 2]))
    fence = c.chance(0.4)
    if fence:
        out.append("```\n")
    clk = LogClock(c)
    n = c.ch([6, 8, 10, 12, 15, 20, 28, 40])
    c.allow_split = False
    for i in range(n):
        out += [log_line(c, c.ch(fams), clk), "\n"]
    c.allow_split = True
    if fence:
        out.append("```\n")
    out += ["\n", P(c, EN_LOG_OUTRO if en else SV_LOG_OUTRO)]
    if c.chance(0.4):
        out += [" ", paragraph(c)]
    out += ["\n\n", signoff(c)]
    return out


# ---------------------------------------------------------------------------
# style: CSV paste
# ---------------------------------------------------------------------------

EN_CSV_INTRO = [
    "Here's the file we tried to import; it fails on row 3 with 'invalid value'.",
    "Pasting the export as text since attachments are blocked on our side:",
    "These are the rows that went wrong in the last import:",
    "Our list of users, exported from {prod} this morning. Some of them shouldn't be there.",
    "The payout file the bank rejected:",
]
SV_CSV_INTRO = [
    "Här är filen vi försökte importera, den stoppar på rad 3 med 'ogiltigt värde'.",
    "Klistrar in exporten som text eftersom bilagor blockeras hos oss:",
    "Det här är raderna som blev fel vid senaste importen:",
    "Vår användarlista, exporterad från {prod} i morse. Några av dem borde inte finnas där.",
    "Lönefilen som banken avvisade:",
]
EN_CSV_OUTRO = ["Can you see what's wrong?", "The amounts are correct, I checked twice.",
                "Please delete the rows for people who have left.", "Thanks for looking into it."]
SV_CSV_OUTRO = ["Ser ni vad som är fel?", "Beloppen stämmer, jag har dubbelkollat.",
                "Ta gärna bort raderna för de som har slutat.", "Tack för hjälpen."]


def csv_row(fields, sep):
    out = []
    for i, f in enumerate(fields):
        if i:
            out.append(sep)
        out.append(f)
    return out


def csv_people(c, k):
    """k people for table rows: the reporter, members and outsiders."""
    ppl = [(c.reporter, "r")]
    ppl += [(m, "m") for m in c.members]
    while len(ppl) < k:
        ppl.append((c.outsider(), "o"))
    c.rng.shuffle(ppl)
    return ppl[:k]


def name_tok(c, p, role, text):
    if role == "r":
        return S("reporter", text)
    if role == "m":
        return S("name", text)
    return D("non-member name", text)


def phone_tok(c, p, role):
    fm = p.phone.formats()
    if role == "r":
        return S("reporter", c.ch(list(fm.values())))
    return S("phone", c.ch(list(fm.values())))


def email_cell(c, p, role):
    if role == "r":
        return c.Remail(c.ch(["as", "as", "upper"]))
    return c.email_tok(p.email, c.ch(["plain", "plain", "plain", "upper", "plus"]))


def style_csv(c):
    en = is_en(c)
    out = []
    if c.chance(0.5):
        out += [greet(c), "\n\n"]
    out += [P(c, EN_CSV_INTRO if en else SV_CSV_INTRO), "\n\n"]
    kind = c.ch(["users", "payroll", "customers", "payments", "contacts", "payouts"])
    sep = c.ch([",", ";", ";", "\t"]) if kind not in ("payroll", "customers") else c.ch([";", ";", "\t"])
    nrows = c.ch([3, 4, 5, 6, 8, 10, 14, 22])
    c.allow_split = False
    rows = []
    if kind == "users":
        hdr = ["name", "email", "role", "last_login", "last_ip"] if en else ["namn", "e-post", "roll", "senast_inloggad", "senaste_ip"]
        ppl = csv_people(c, min(nrows, len(c.members) + 1 + 3))
        for p, role in ppl:
            nm = name_tok(c, p, role, p.full.upper() if role == "r" and c.chance(0.3) else p.full)
            t = c.now - timedelta(days=c.rng.randint(0, 90), minutes=c.rng.randint(0, 900))
            rows.append([nm, email_cell(c, p, role), c.ch(["admin", "member", "member", "viewer", "billing"]),
                         D("timestamp", t.strftime("%Y-%m-%d %H:%M")), c.ip()])
    elif kind == "payroll":
        hdr = ["anst_nr", "namn", "personnummer", "konto", "bruttolon", "startdatum"] if not en else ["emp_no", "name", "personal_id", "iban", "gross_salary", "start_date"]
        pf, ibf, amf = c.ch(["dash12", "plain12", "dash10", "plain12"]), c.ch(["plain", "group"]), c.chance(0.5)
        for i in range(nrows):
            p = c.outsider("SE") if c.chance(0.75) or not c.members else c.ch(c.members)
            role = "m" if p in c.members else "o"
            r = c.rng.random()
            dev = c.chance(0.1)
            pn = c.pnr(c.ch(["dash12", "plain12", "dash10", "plain10"]) if dev else pf, coord=False) if r < 0.85 else (c.pnr_bad() if r < 0.93 else c.pnr(pf, coord=True))
            sal = c.rng.randint(24000, 68000)
            rows.append([D("employee number", f"E-{1000 + i * 7 + c.rng.randint(0, 6)}"),
                         ([name_tok(c, p, role, p.last), ", ", name_tok(c, p, role, p.first)] if role == "m" else name_tok(c, p, role, f"{p.last}, {p.first}"))
                         if c.chance(0.3) else name_tok(c, p, role, p.full),
                         pn, c.iban("SE", ibf) if c.chance(0.9) else c.iban_bad("SE"),
                         D("amount", f"{sal // 1000} {sal % 1000:03d},00" if amf else f"{sal}.00"),
                         c.when(c.rng.randint(30, 900), "iso")])
    elif kind == "customers":
        hdr = ["Företag", "Orgnr", "Kontaktperson", "E-post", "Telefon", "Ort"] if not en else ["Company", "Org no", "Contact", "Email", "Phone", "City"]
        comp_words = ["Bygg", "Data", "Konsult", "Fastighet", "Transport", "Café", "Redovisning", "Elektriska", "Städ", "Måleri"]
        pref = ["Norrsken", "Åbacka", "Klippan", "Vassen", "Ekudden", "Solgläntan", "Hamnkrogen", "Mossen", "Fyrbåken", "Björkdungen"]
        for i in range(nrows):
            p = c.outsider("SE")
            cname = D("company name", f"{c.ch(pref)} {c.ch(comp_words)} AB")
            rows.append([cname, c.orgnr(c.ch(["556", "559", "556", "969", "802"]), c.ch(["dash", "dash", "plain", "sixteen"])),
                         D("non-member name", p.full), c.email_tok(p.email, c.ch(["plain", "plain", "upper"])),
                         S("phone", c.ch(list(p.phone.formats().values()))), c.city()])
    elif kind == "payments":
        hdr = ["date", "invoice", "amount", "card", "status"] if en else ["datum", "faktura", "belopp", "kort", "status"]
        for i in range(nrows):
            r = c.rng.random()
            card = c.card() if r < 0.45 else (c.card_masked() if r < 0.8 else c.card_bad())
            rows.append([c.when(c.rng.randint(0, 120), "iso"), c.invoice(), D("amount", f"{c.rng.randint(99, 25000)}.{c.ch(['00', '50', '95'])}"),
                         card, c.ch(["captured", "captured", "refunded", "declined", "pending"])])
    elif kind == "contacts":
        hdr = ["First name", "Last name", "Email", "Mobile", "Country"] if en else ["Förnamn", "Efternamn", "E-post", "Mobil", "Land"]
        ppl = csv_people(c, nrows)
        for p, role in ppl:
            rows.append([name_tok(c, p, role, p.first), name_tok(c, p, role, p.last), email_cell(c, p, role),
                         phone_tok(c, p, role), p.country])
    else:  # payouts
        hdr = ["Recipient", "IBAN", "Amount", "Currency", "Reference"] if en else ["Mottagare", "IBAN", "Belopp", "Valuta", "Referens"]
        cur = {"SE": "SEK", "NO": "NOK", "DK": "DKK", "DE": "EUR", "GB": "GBP", "FI": "EUR", "NL": "EUR"}
        for i in range(nrows):
            cc = c.ch(["SE", "SE", "NO", "DK", "DE", "GB", "FI", "NL"])
            p = c.outsider({"NL": "DE"}.get(cc, cc))
            ib = c.iban(cc, c.ch(["plain", "plain", "group", "lower_plain"])) if c.chance(0.88) else c.iban_bad(cc)
            rows.append([D("non-member name", p.full), ib, D("amount", f"{c.rng.randint(100, 90000)}.{c.ch(['00', '50'])}"), cur[cc], c.invoice()])
    lines = [csv_row(hdr, sep)] + [csv_row(r, sep) for r in rows]
    fence = c.chance(0.3)
    if fence:
        out.append("```\n")
    for ln in lines:
        out += [ln, "\n"]
    if fence:
        out.append("```\n")
    c.allow_split = True
    out += ["\n", P(c, EN_CSV_OUTRO if en else SV_CSV_OUTRO)]
    if c.chance(0.4):
        out += ["\n\n", paragraph(c)]
    out += ["\n\n", signoff(c)]
    return out


# ---------------------------------------------------------------------------
# style: chat transcript
# ---------------------------------------------------------------------------

CHAT_R_OPEN_EN = ["hi, I can't log in to {prod}", "hello! quick question about an invoice", "hi, our payroll import keeps failing",
                  "hey, someone outside the company got one of our links", "hi there, the sms codes don't arrive",
                  "Hi, I need to change our bank details", "good morning, we were charged twice this month",
                  "hi – a colleague can't accept their invite"]
CHAT_R_OPEN_SV = ["hej, jag kommer inte in i {prod}", "hej! snabb fråga om en faktura", "hej, lönefilen går inte att importera",
                  "hej, någon utanför företaget har fått en av våra länkar", "hejsan, sms-koderna kommer inte fram",
                  "Hej, vi behöver byta bankuppgifter", "god morgon, vi har blivit dragna två gånger den här månaden",
                  "hej – en kollega kan inte acceptera sin inbjudan"]
CHAT_A_HELLO_EN = ["Hi {rfirst}, thanks for reaching out! How can I help?", "Hello {rfirst}! What can I do for you today?",
                   "Hi and welcome to {prod} support. How can I help?"]
CHAT_A_HELLO_SV = ["Hej {rfirst}, tack för att du hör av dig! Vad kan jag hjälpa till med?", "Hej {rfirst}! Vad kan jag göra för dig i dag?",
                   "Hej och välkommen till {prod}s support. Hur kan jag hjälpa till?"]
CHAT_Q = {
    "email": (["Could you confirm the email address on the account?", "Which email address do you log in with?"],
              ["Kan du bekräfta e-postadressen på kontot?", "Vilken e-postadress loggar du in med?"],
              ["it's {remail}", "{remail}", "should be {remail_up} – not sure about the capitals"],
              ["det är {remail}", "{remail}", "borde vara {remail}"]),
    "phone": (["And the phone number you use for two-step verification?", "What number should the codes go to?"],
              ["Och telefonnumret du använder för tvåstegsverifiering?", "Vilket nummer ska koderna gå till?"],
              ["sure: {rp}", "{rp}", "my mobile, {rp}"],
              ["visst: {rp}", "{rp}", "min mobil, {rp}"]),
    "user": (["What's your username?", "Can you tell me your username so I can find the account?"],
             ["Vad är ditt användarnamn?", "Kan du säga ditt användarnamn så hittar jag kontot?"],
             ["my username is {ruser}", "{ruser}", "I log in as {ruser}"],
             ["mitt användarnamn är {ruser}", "{ruser}", "jag loggar in som {ruser}"]),
}
CHAT_A_EN = ["Thanks, I can see {rfirst}'s account now.", "I've sent you a new link, it's valid for 30 minutes.",
             "This article explains it: {help_url}", "Could you give me the last four digits of the card?",
             "Please don't paste full card numbers here, I'll have it removed from the transcript.",
             "I've escalated this as {ticket}.", "Our status page {status} shows no incidents right now.",
             "One moment while I check.", "Got it. Which user is affected?", "Thanks – and the invoice number?",
             "I'll pass that on to our billing team.", "The docs for the import format are here: {docs}"]
CHAT_A_SV = ["Tack, nu ser jag {rfirst}s konto.", "Jag har skickat en ny länk, den gäller i 30 minuter.",
             "Den här artikeln förklarar det: {help_url}", "Kan du ge mig de fyra sista siffrorna på kortet?",
             "Klistra inte in hela kortnummer här, jag ser till att det tas bort ur loggen.",
             "Jag har eskalerat det som {ticket}.", "Driftstatussidan {status} visar inga störningar just nu.",
             "Ett ögonblick, jag kollar.", "Uppfattat. Vilken användare gäller det?", "Tack – och fakturanumret?",
             "Jag skickar det vidare till vår faktureringsavdelning.", "Formatet för importen beskrivs här: {docs}"]
CHAT_A_BYE_EN = ["Is there anything else I can help with?", "Anything else before I close the chat?", "Great, have a nice day!"]
CHAT_A_BYE_SV = ["Något mer jag kan hjälpa till med?", "Något annat innan jag stänger chatten?", "Toppen, ha en fin dag!"]
CHAT_R_DETAIL_EN = ["the link I got is {reset}", "it was card {card}", "ok, last four are {l4}", "our IBAN is {iban}",
                    "the person is {mfull}, {memail}", "we see logins from {ip} that aren't ours",
                    "hang on, checking with {mfirst}", "ticket was {ticket} I think", "it's for {mfirst}'s account actually, {memail}",
                    "the export link {s3} went to {oemail}", "new number for {mfirst}: {mphone}", "org number is {own_orgnr}",
                    "employee's personnummer is {pnr}", "the invite {invite} was sent to the wrong person",
                    "{mlast} is the one who set it up", "invoice {inv}, {amount}", "the receipt says {masked}",
                    "I'm on {version} if that matters", "it says 'invalid token' when I open {magic}",
                    "our office IP is {ip4}", "can you call me instead? {rp}"]
CHAT_R_DETAIL_SV = ["länken jag fick är {reset}", "det var kort {card}", "ok, fyra sista är {l4}", "vårt IBAN är {iban}",
                    "det gäller {mfull}, {memail}", "vi ser inloggningar från {ip} som inte är våra",
                    "vänta, jag kollar med {mfirst}", "ärendet var {ticket} tror jag", "exportlänken {s3} gick till {oemail}",
                    "nytt nummer till {mfirst}: {mphone}", "orgnr är {own_orgnr}", "den anställdas personnummer är {pnr}",
                    "inbjudan {invite} skickades till fel person", "det var {mlast} som satte upp det", "ring gärna {rp} istället",
                    "faktura {inv}, {amount}", "på kvittot står {masked}", "vi kör {version} om det spelar roll",
                    "det står 'ogiltig länk' när jag öppnar {magic}", "kontorets IP är {ip4}", "gäller {mfirst}s konto egentligen"]
CHAT_R_END_EN = ["thanks, that worked!", "great, thank you", "ok I'll try that", "perfect 👍", "thanks for the help", "no, that's all. thanks!"]
CHAT_R_END_SV = ["tack, nu funkar det!", "toppen, tack", "ok, jag testar", "perfekt 👍", "tack för hjälpen", "nej, det var allt. tack!"]


def style_chat(c):
    en = is_en(c)
    out = []
    t = c.now - timedelta(minutes=c.rng.randint(0, 300))
    tsfmt = c.ch(["[%H:%M]", "[%H:%M:%S]", "%H:%M", "[%Y-%m-%d %H:%M]"])
    if c.chance(0.6):
        out += [c.ch(["Chat transcript – ", "Chat log ", "--- chat started "]) if en else c.ch(["Chattlogg ", "Chatt – ", "--- chatt startad "]),
                c.when(0, "iso"), "\n\n"]
    if c.chance(0.35):
        out += [P(c, ["Pasting our chat from earlier so it's in the case:", "Copy of the chat, as requested.",
                      "Here's the chat with your colleague, since it got cut off:"] if en else
                  ["Klistrar in chatten från tidigare så den finns i ärendet:", "Kopia av chatten, som ni bad om.",
                   "Här är chatten med er kollega, den bröts mitt i:"]), "\n\n"]
    rform = c.ch(["full", "full", "first", "user", "caps"])
    alabel = [c.agent_name("first"), f" ({c.product})" if c.chance(0.5) else ""]

    def rl():
        return {"full": c.Rfull, "first": c.Rfirst, "user": c.Ruser, "caps": c.Rcaps}[rform]()

    def line(who, body):
        nonlocal t
        t += timedelta(seconds=c.rng.randint(5, 240))
        return [D("time", t.strftime(tsfmt)), " ", who, ": ", body, "\n"]

    A = CHAT_A_EN if en else CHAT_A_SV
    c.allow_split = False
    out += line(rl(), P(c, CHAT_R_OPEN_EN if en else CHAT_R_OPEN_SV))
    out += line(alabel, P(c, CHAT_A_HELLO_EN if en else CHAT_A_HELLO_SV))
    if c.chance(0.5):
        out += line(rl(), paragraph(c))
    for q in c.rng.sample(list(CHAT_Q), c.ch([1, 1, 2])):
        qe, qs, ae, as_ = CHAT_Q[q]
        out += line(alabel, P(c, qe if en else qs))
        out += line(rl(), P(c, ae if en else as_))
    details = c.rng.sample(CHAT_R_DETAIL_EN if en else CHAT_R_DETAIL_SV, c.rng.randint(2, 6))
    agent_lines = c.rng.sample(A, len(A))
    for d in details:
        out += line(rl(), P(c, [d]))
        if c.chance(0.5) and agent_lines:
            out += line(alabel, P(c, [agent_lines.pop()]))
    if c.chance(0.3):
        m = c.mem()
        extra = dict(mfirst=S("name", m.first), mphone=S("phone", c.ch(list(m.phone.formats().values()))))
        out += line([c.Mname(m, "full")], P(c, ["hi, {mfirst} here, I'm on the call too", "my number is {mphone} if you need it"]
                                            if en else ["hej, {mfirst} här, jag är också med", "mitt nummer är {mphone} om det behövs"], **extra))
    out += line(alabel, P(c, CHAT_A_BYE_EN if en else CHAT_A_BYE_SV))
    out += line(rl(), P(c, CHAT_R_END_EN if en else CHAT_R_END_SV))
    c.allow_split = True
    return out


# ---------------------------------------------------------------------------
# style: web form submission
# ---------------------------------------------------------------------------


def style_form(c):
    en = is_en(c)
    L = (lambda e, s: e) if en else (lambda e, s: s)  # noqa: E731
    name = c.ch([c.Rfull(), c.Rfull(), c.Rcaps(), [c.Rlast(), ", ", c.Rfirst()]])
    out = [L("New support request", "Nytt supportärende"), " ", D("ticket number", f"#{c.rng.randint(10000, 99999)}"), "\n\n",
           L("Name: ", "Namn: "), name, "\n",
           L("Email: ", "E-post: "), c.Remail(), "\n"]
    if c.chance(0.85):
        out += [L("Phone: ", "Telefon: "), c.Rphone(split=False), "\n"]
    out += [L("Company: ", "Företag: "), c.comp(), "\n"]
    if c.ccountry == "SE" and c.chance(0.7):
        out += ["Org.nr: ", c.own_orgnr(), "\n"]
    if c.chance(0.5):
        out += [L("Username: ", "Användarnamn: "), c.Ruser(), "\n"]
    out += [L("Category: ", "Kategori: "), c.ch(["Billing", "Login", "Payroll", "Export", "Other"]) if en else c.ch(["Fakturering", "Inloggning", "Lön", "Export", "Övrigt"]), "\n",
            L("Subject: ", "Rubrik: "), subject(c), "\n",
            L("Message:", "Meddelande:"), "\n", paragraphs(c, 1, 3), "\n\n"]
    if c.chance(0.5):
        out += [signoff(c), "\n\n"]
    out += ["--\n", L("Submitted ", "Skickat "), c.when(0, "iso"), " ", c.clock(), " · IP ", c.ip(), " · ", c.ch(UAS)]
    return out


STYLES = {
    "plain email": style_plain,
    "forwarded thread": style_forward,
    "log excerpt": style_log,
    "csv paste": style_csv,
    "chat transcript": style_chat,
    "form submission": style_form,
}


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------

try:  # optional double check of our own checksums
    from stdnum import iban as std_iban
    from stdnum import luhn as std_luhn
    from stdnum.se import orgnr as std_orgnr
    from stdnum.se import personnummer as std_pnr
except ImportError:  # pragma: no cover
    std_iban = std_luhn = std_orgnr = std_pnr = None


def digits(s):
    return re.sub(r"\D", "", s)


def card_valid(s):
    d = digits(s)
    if not luhn_ok(d):
        return False
    if len(d) == 16 and (d[0] == "4" or 51 <= int(d[:2]) <= 55 or 2221 <= int(d[:4]) <= 2720):
        return True
    return len(d) == 15 and d[:2] in ("34", "37")


def pnr_valid(s):
    m = re.fullmatch(r"(\d{2})?(\d{6})([-+]?)(\d{4})", s)
    if not m:
        return False
    ten = m.group(2) + m.group(4)
    mo, da = int(ten[2:4]), int(ten[4:6])
    if da > 60:
        da -= 60
    return 1 <= mo <= 12 and 1 <= da <= 31 and luhn_ok(ten)


def check_semantics(msg):
    for sp in msg["spans"]:
        t = sp["text"]
        if sp["kind"] == "card":
            assert card_valid(t), t
            if std_luhn:
                assert std_luhn.is_valid(digits(t)), t
        elif sp["kind"] == "iban":
            assert iban_mod97(t) == 1, t
            if std_iban:
                assert std_iban.is_valid(t.upper()), t
        elif sp["kind"] == "personnummer":
            assert pnr_valid(t), t
            ten = digits(t)[-10:]
            if std_luhn:
                assert std_luhn.is_valid(ten), t
            if std_pnr and int(ten[4:6]) <= 31 and "+" not in t:
                assert std_pnr.is_valid(t), t
        elif sp["kind"] == "ip":
            import ipaddress
            ipaddress.ip_address(t)
        elif sp["kind"] == "url":
            assert t.startswith("https://") and " " not in t, t
    for d in msg["distractors"]:
        t = d["text"]
        if d["sort"] == "invalid card number":
            assert not luhn_ok(digits(t)), t
        elif d["sort"] == "invalid iban":
            assert iban_mod97(t) != 1, t
            if std_iban:
                assert not std_iban.is_valid(t), t
        elif d["sort"] == "invalid personnummer":
            assert not pnr_valid(t), t
        elif d["sort"] == "organisation number":
            ten = digits(t)[-10:]
            assert luhn_ok(ten) and int(ten[2]) >= 2, t
            assert not pnr_valid(t), t
            if std_orgnr:
                assert std_orgnr.is_valid(ten), t
        elif d["sort"] == "masked card":
            assert len(digits(t)) == 4, t


IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
RUN = re.compile(r"[+(]?\d[\d ().\-/]*\d")
ALLOW = [re.compile(r"\d{4}-\d{2}-\d{2}"), re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"),
         re.compile(r'(?<=" )\d{3} \d+(?= ")'), re.compile(r"\b\d{2}/\d{2}\b")]


def lint(msg, ctx):
    """Look for identifiers that were left unlabelled in the text."""
    text = msg["text"]
    cov = [False] * len(text)
    for x in msg["spans"] + msg["distractors"]:
        for i in range(x["start"], x["end"]):
            cov[i] = True
    masked = "".join("\x00" if cv else ch for ch, cv in zip(text, cov))
    for rx in ALLOW:
        masked = rx.sub(lambda m: "\x00" * len(m.group()), masked)
    problems = []
    if "@" in masked:
        problems.append(("@", masked[max(0, masked.index("@") - 30):masked.index("@") + 30]))
    for m in re.finditer(r"https?://|www\.", masked):
        problems.append(("url", masked[m.start():m.start() + 40]))
    for m in IPV4.finditer(masked):
        problems.append(("ipv4", m.group()))
    for m in IPV6.finditer(masked):
        g = m.group()
        if "::" in g or (g.count(":") >= 3 and re.search("[a-fA-F]", g)):
            problems.append(("ipv6", g))
    for line in masked.split("\n"):
        for m in RUN.finditer(line):
            if len(digits(m.group())) >= 7:
                problems.append(("digits", m.group()))
    r = ctx.reporter
    for part in (r.first, r.last, r.username):
        if len(part) >= 3 and re.search(r"(?<!\w)" + re.escape(part) + r"(?:s|'s)?(?!\w)", masked, re.I):
            problems.append(("reporter", part))
    people = list(ctx.members) + list(ctx.outsiders)
    for p in people:
        for part in (p.first, p.last):
            if re.search(r"(?<!\w)" + re.escape(part) + r"(?:s|'s)?(?!\w)", masked, re.I):
                problems.append(("person", part))
    for part in ctx.agent:
        if re.search(r"(?<!\w)" + re.escape(part) + r"(?!\w)", masked):
            problems.append(("agent", part))
    return problems


# ---------------------------------------------------------------------------
# assembling the corpus
# ---------------------------------------------------------------------------

LANG_SHARE = {"en": 0.45, "sv": 0.40, "mixed": 0.15}
STYLE_SHARE = {"plain email": 0.28, "forwarded thread": 0.20, "log excerpt": 0.15, "csv paste": 0.12,
               "chat transcript": 0.15, "form submission": 0.10}
RCOUNTRY = {"en": ["SE"] * 35 + ["NO"] * 13 + ["DK"] * 13 + ["GB"] * 17 + ["DE"] * 12 + ["FI"] * 10,
            "sv": ["SE"] * 85 + ["FI"] * 15,
            "mixed": ["SE"] * 50 + ["NO"] * 25 + ["DK"] * 25}


def quota(shares, n, rng):
    out = []
    for k, v in shares.items():
        out += [k] * round(v * n)
    while len(out) < n:
        out.append(next(iter(shares)))
    out = out[:n]
    rng.shuffle(out)
    return out


def build_message(i, lang, style):
    last_err = None
    for attempt in range(60):
        rng = random.Random(f"{SEED}:{i}:{attempt}")
        c = Ctx(rng, lang, style, rng.choice(RCOUNTRY[lang]))
        b = Builder().add(STYLES[style](c))
        text = b.text
        hi = 6000 if style in ("log excerpt", "csv paste") else 2500
        if not 200 <= len(text) <= hi:
            last_err = f"length {len(text)}"
            continue
        msg = {
            "id": f"b-{i + 1:04d}",
            "lang": lang,
            "style": style,
            "reporter": {"name": c.reporter.full, "email": c.reporter.email, "username": c.reporter.username,
                         "phone": c.reporter.profile_phone},
            "org_members": [m.full for m in c.members],
            "text": text,
            "spans": b.spans,
            "distractors": b.dis,
        }
        # offsets and overlap
        for x in b.spans + b.dis:
            assert text[x["start"]:x["end"]] == x["text"], x
            assert x["end"] > x["start"], x
        allx = sorted(b.spans + b.dis, key=lambda x: x["start"])
        for a, z in zip(allx, allx[1:]):
            assert a["end"] <= z["start"], (a, z)
        check_semantics(msg)
        problems = lint(msg, c)
        if problems:
            last_err = problems
            continue
        return msg
    raise AssertionError(f"message {i} ({lang}, {style}) could not be built: {last_err}")


def generate() -> list[dict]:
    rng = random.Random(SEED)
    langs = quota(LANG_SHARE, N_MESSAGES, rng)
    styles = quota(STYLE_SHARE, N_MESSAGES, rng)
    msgs = [build_message(i, langs[i], styles[i]) for i in range(N_MESSAGES)]
    for m in msgs:
        spans = sorted(m["spans"], key=lambda x: x["start"])
        for a, z in zip(spans, spans[1:]):
            assert a["end"] <= z["start"]
        for x in m["spans"]:
            assert m["text"][x["start"]:x["end"]] == x["text"]
        for x in m["distractors"]:
            assert m["text"][x["start"]:x["end"]] == x["text"]
    return msgs


def summary(msgs):
    from collections import Counter
    kinds, sorts, styles, langs = Counter(), Counter(), Counter(), Counter()
    for m in msgs:
        styles[m["style"]] += 1
        langs[m["lang"]] += 1
        kinds.update(s["kind"] for s in m["spans"])
        sorts.update(d["sort"] for d in m["distractors"])
    return {"messages": len(msgs), "lang": dict(langs), "style": dict(styles), "kinds": dict(kinds),
            "distractor_sorts": dict(sorts)}


def main():
    msgs = generate()
    out = Path(__file__).with_name("corpus.json")
    out.write_text(json.dumps(msgs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(summary(msgs), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
