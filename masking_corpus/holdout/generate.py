"""Deterministic generator for the blind holdout masking corpus.

Written from ``masking_corpus/blind/LABELS.md`` only.  Standard library only;
``python-stdnum`` is used (when importable) purely to double-check checksums
that this module computes itself.

Run from the project root:  python -m masking_corpus.holdout.generate
"""

import json
import os
import random
import re

SEED = 8_675_309
N_MESSAGES = 330
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus.json")


# ---------------------------------------------------------------- building
class S:
    """A labelled span."""

    def __init__(self, kind, text):
        self.kind, self.text = kind, text


class D:
    """A distractor: looks sensitive-ish but must stay readable."""

    def __init__(self, sort, text):
        self.sort, self.text = sort, text


class Builder:
    def __init__(self):
        self.chunks, self.pos, self.spans, self.dis = [], 0, [], []

    def _t(self, s):
        self.chunks.append(s)
        self.pos += len(s)

    def add(self, *parts):
        for p in parts:
            if p is None:
                continue
            if isinstance(p, str):
                self._t(p)
            elif isinstance(p, S):
                st = self.pos
                self._t(p.text)
                self.spans.append({"start": st, "end": self.pos, "kind": p.kind, "text": p.text})
            elif isinstance(p, D):
                st = self.pos
                self._t(p.text)
                self.dis.append({"start": st, "end": self.pos, "sort": p.sort, "text": p.text})
            elif isinstance(p, (list, tuple)):
                self.add(*p)
            else:
                raise TypeError(p)
        return self

    @property
    def text(self):
        return "".join(self.chunks)


def flat(parts):
    out = []
    for p in parts:
        if isinstance(p, (list, tuple)):
            out.extend(flat(p))
        elif p is not None:
            out.append(p)
    return out


def quote(parts, prefix="> "):
    """Prefix every line of a block of parts (quoted reply)."""
    out = [prefix]
    for p in flat(parts):
        if isinstance(p, str):
            out.append(p.replace("\n", "\n" + prefix))
        else:
            out.append(p)
    return out


# ---------------------------------------------------------------- checksums
def luhn_digit(payload):
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(num):
    return luhn_digit(num[:-1]) == num[-1]


def iban_check(cc, bban):
    s = (bban + cc + "00").upper()
    n = int("".join(str(int(c, 36)) for c in s))
    return "%02d" % (98 - n % 97)


def iban_ok(iban):
    s = iban.replace(" ", "").upper()
    s = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1


def no_kontonr_digit(ten):
    w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    r = sum(int(a) * b for a, b in zip(ten, w)) % 11
    return None if r == 1 else str((11 - r) % 11)


def nl_elfproef(ten):
    return sum(int(d) * (10 - i) for i, d in enumerate(ten)) % 11 == 0


try:  # optional double-check only
    from stdnum import iban as _sn_iban, luhn as _sn_luhn
    from stdnum.se import orgnr as _sn_orgnr, personnummer as _sn_pnr
except Exception:  # pragma: no cover
    _sn_iban = _sn_luhn = _sn_orgnr = _sn_pnr = None


# ---------------------------------------------------------------- data pools
FIRST = {
    "SE": [
        "Anna",
        "Karin",
        "Maria",
        "Sara",
        "Emma",
        "Ingrid",
        "Lena",
        "Malin",
        "Sofia",
        "Elin",
        "Johanna",
        "Frida",
        "Helena",
        "Linnea",
        "Astrid",
        "Ebba",
        "Tove",
        "Erik",
        "Lars",
        "Anders",
        "Johan",
        "Magnus",
        "Henrik",
        "Mikael",
        "Fredrik",
        "Oskar",
        "Gustav",
        "Nils",
        "Jonas",
        "Mattias",
        "Viktor",
        "Axel",
        "Ludvig",
        "Per",
        "Göran",
        "Birgitta",
        "Agneta",
        "Åsa",
        "Jörgen",
        "Ulf",
    ],
    "NO": [
        "Kari",
        "Silje",
        "Ole",
        "Knut",
        "Eirik",
        "Sindre",
        "Marte",
        "Håkon",
        "Tone",
        "Torbjørn",
        "Solveig",
        "Vegard",
        "Ragnhild",
        "Øystein",
    ],
    "DK": [
        "Mette",
        "Søren",
        "Rasmus",
        "Line",
        "Jens",
        "Kirsten",
        "Mads",
        "Freja",
        "Niels",
        "Birgitte",
        "Troels",
        "Signe",
    ],
    "DE": [
        "Katrin",
        "Jürgen",
        "Stefan",
        "Sabine",
        "Tobias",
        "Ulrike",
        "Matthias",
        "Anja",
        "Florian",
        "Heike",
        "Dieter",
        "Grit",
    ],
    "GB": [
        "Oliver",
        "Harriet",
        "James",
        "Sophie",
        "Callum",
        "Eleanor",
        "Rhys",
        "Priya",
        "Gemma",
        "Declan",
        "Fiona",
        "Siobhan",
        "Gareth",
        "Imogen",
    ],
}
LAST = {
    "SE": [
        "Lindqvist",
        "Holm",
        "Sandberg",
        "Nyström",
        "Bergström",
        "Ekström",
        "Lundgren",
        "Sjöberg",
        "Wallin",
        "Engström",
        "Forsberg",
        "Hedlund",
        "Åberg",
        "Danielsson",
        "Johansson",
        "Karlsson",
        "Nilsson",
        "Persson",
        "Svensson",
        "Gustafsson",
        "Olofsson",
        "Lindholm",
        "Axelsson",
        "Hellström",
        "Söderberg",
        "Blom",
        "Falk",
        "Sundqvist",
        "Östlund",
        "Wikström",
        "Mäkinen",
        "Hussein",
        "Yilmaz",
    ],
    "NO": [
        "Hansen",
        "Johansen",
        "Olsen",
        "Larsen",
        "Haugen",
        "Bakken",
        "Solberg",
        "Nygaard",
        "Berntsen",
        "Myhre",
        "Kvalheim",
        "Strand",
    ],
    "DK": [
        "Jensen",
        "Nielsen",
        "Pedersen",
        "Rasmussen",
        "Kjærgaard",
        "Mortensen",
        "Østergaard",
        "Thomsen",
        "Lauridsen",
    ],
    "DE": [
        "Müller",
        "Schneider",
        "Becker",
        "Hoffmann",
        "Wagner",
        "Krüger",
        "Schäfer",
        "Zimmermann",
        "Vogel",
        "Brandt",
    ],
    "GB": [
        "Whitfield",
        "Patel",
        "Hughes",
        "Ashworth",
        "Fletcher",
        "Doyle",
        "Pemberton",
        "Barnes",
        "Kaur",
        "McKenzie",
        "Thornton",
        "O'Brien",
    ],
}

ORGS = {
    "SE": [
        ("club", "Ekbackens IF", "ekbackensif.se"),
        ("club", "Sjövikens Segelsällskap", "sjoviken-ss.se"),
        ("club", "Tallbergs Innebandyklubb", "tallbergsibk.se"),
        ("club", "Norrvikens Simsällskap", "norrvikensim.se"),
        ("club", "Gärdets Tennisklubb", "gardetstk.se"),
        ("school", "Solbackaskolan", "solbackaskolan.se"),
        ("school", "Kvarnbyskolan", "kvarnby.skola.se"),
        ("school", "Björkhagens förskola", "bjorkhagensforskola.se"),
        ("accounting", "Revisionsbyrån Kronan AB", "kronanrevision.se"),
        ("accounting", "Ekonomihuset i Mälardalen AB", "ekonomihuset-malardalen.se"),
        ("accounting", "Bokföringsbyrån Ljus & Lön AB", "ljusolon.se"),
        ("housing", "BRF Ekbacken", "brfekbacken.se"),
        ("housing", "BRF Sjöutsikten 3", "sjoutsikten3.se"),
        ("housing", "HSB BRF Tallkotten", "tallkotten.nu"),
        ("housing", "BRF Kvarnstenen", "brfkvarnstenen.se"),
        ("clinic", "Fältvägens vårdcentral", "faltvagensvc.se"),
        ("clinic", "Tandvårdshuset Åsen", "tandvardasen.se"),
        ("clinic", "Fysiokliniken Norr", "fysionorr.se"),
        ("ngo", "Föreningen Läsfrämjarna", "lasframjarna.org"),
        ("ngo", "Kustfågel ideell förening", "kustfagel.org"),
        ("ngo", "Matbanken Ost", "matbankenost.se"),
    ],
    "NO": [
        ("club", "Fjellstua IL", "fjellstua-il.no"),
        ("housing", "Bakkehaugen Borettslag", "bakkehaugen-brl.no"),
        ("club", "Tromsø Seilforening", "tromsoseil.no"),
        ("school", "Grünerløkka Skolekorps", "gskolekorps.no"),
        ("accounting", "Regnskapshjelpen Vest AS", "regnskapshjelpen.no"),
    ],
    "DK": [
        ("housing", "Andelsboligforeningen Søbakken", "absobakken.dk"),
        ("club", "Valby Håndboldklub", "valbyhk.dk"),
        ("clinic", "Østerbro Tandklinik", "osterbrotand.dk"),
        ("accounting", "Bogholderiet Fyn ApS", "bogholderietfyn.dk"),
    ],
    "DE": [
        ("club", "TSV Blau-Weiß Harburg e.V.", "tsv-bw-harburg.de"),
        ("school", "Grundschule am Lindenpark", "gs-lindenpark.de"),
        ("accounting", "Steuerbüro Krämer & Partner", "stb-kraemer.de"),
        ("ngo", "Tafel Nordstadt e.V.", "tafel-nordstadt.de"),
        ("clinic", "Praxisgemeinschaft am Markt", "praxis-am-markt.de"),
    ],
    "GB": [
        ("club", "Ashdown Rowing Club", "ashdownrc.org.uk"),
        ("school", "St Aidan's Primary School", "staidans.sch.uk"),
        ("accounting", "Hollins & Pike Accountants", "hollinspike.co.uk"),
        ("housing", "Riverside Tenants' Association", "riversideta.org.uk"),
        ("clinic", "Meadowbank Surgery", "meadowbanksurgery.co.uk"),
        ("ngo", "Open Larder Trust", "openlarder.org.uk"),
    ],
}
CITIES = {
    "SE": [
        ("Stockholm", "114 55"),
        ("Göteborg", "411 04"),
        ("Malmö", "211 22"),
        ("Uppsala", "753 20"),
        ("Umeå", "903 26"),
        ("Linköping", "582 24"),
        ("Örebro", "702 10"),
        ("Västerås", "722 15"),
    ],
    "NO": [("Oslo", "0150"), ("Bergen", "5003"), ("Trondheim", "7011"), ("Tromsø", "9008")],
    "DK": [("København Ø", "2100"), ("Aarhus C", "8000"), ("Odense C", "5000")],
    "DE": [("Berlin", "10115"), ("Hamburg", "20095"), ("München", "80331"), ("Köln", "50667")],
    "GB": [("London", "SE1 7PB"), ("Manchester", "M1 1AE"), ("Leeds", "LS1 4AP"), ("Bristol", "BS1 5TR")],
}
PRODUCTS = [
    "Föreningsportalen",
    "KlubbKassan",
    "BokaLokal",
    "Lönekollen",
    "SkolPlattan",
    "MedAdmin Pro",
    "Nordbok",
    "TidBas",
    "Styrelsewebben",
    "Kassaboken Online",
]
VENDOR_HOSTS = [
    "app.foreningsportalen.se",
    "portal.klubbkassan.se",
    "my.nordbok.io",
    "konto.bokalokal.se",
    "login.skolplattan.se",
    "secure.tidbas.com",
    "app.styrelsewebben.se",
]
PUBLIC_LINKS = [
    "https://help.foreningsportalen.se/sv/articles/medlemsimport",
    "https://status.klubbkassan.se/",
    "https://docs.nordbok.io/api/v2/errors#rate-limits",
    "https://www.bokalokal.se/priser",
    "https://help.skolplattan.se/en/articles/2fa-troubleshooting",
    "https://www.skatteverket.se/foretag",
    "https://www.bankid.com/en/support",
    "https://docs.tidbas.com/changelog/4.12",
    "https://support.microsoft.com/en-us/outlook",
    "https://www.gov.uk/guidance/gift-aid",
]
COMPANIES = [
    "Fortnox",
    "Visma",
    "Swish",
    "BankID",
    "Klarna",
    "Microsoft 365",
    "Bankgirot",
    "PostNord",
    "Vipps",
    "MobilePay",
    "Stripe",
    "SumUp",
    "DATEV",
    "Sage",
    "Xero",
]
TEAMS_SV = ["styrelsen", "kansliet", "valberedningen", "P12-laget", "damlaget", "ekonomigruppen"]
TITLES_SV = [
    "kassör",
    "ordförande",
    "sekreterare",
    "kanslist",
    "rektor",
    "redovisningskonsult",
    "verksamhetschef",
    "vaktmästare",
    "medlemsansvarig",
]
TITLES_EN = [
    "treasurer",
    "chair",
    "club secretary",
    "office manager",
    "practice manager",
    "bookkeeper",
    "head teacher",
    "membership officer",
    "volunteer coordinator",
]
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
FOLD = str.maketrans(
    {"å": "a", "ä": "a", "ö": "o", "ø": "o", "æ": "ae", "ü": "u", "é": "e", "'": "", " ": ""}
)


# ---------------------------------------------------------------- phones
def _g(s, sizes):
    out, i = [], 0
    for n in sizes:
        out.append(s[i : i + n])
        i += n
    return " ".join(x for x in out if x)


class Phone:
    """A number as national significant number + country; spells itself."""

    def __init__(self, cc, area, sub):
        self.cc, self.area, self.sub = cc, area, sub

    @property
    def nsn(self):
        return self.area + self.sub

    def spellings(self):
        a, s, cc = self.area, self.sub, self.cc
        if cc == "46":
            grp = _g(s, [3, 2, 2]) if len(s) == 7 else (_g(s, [3, 3, 2]) if len(s) == 8 else _g(s, [2, 2, 2]))
            nat = [
                "0%s-%s" % (a, grp),
                "0%s %s" % (a, grp),
                "0%s%s" % (a, s),
                "0%s-%s" % (a, s),
                "(0%s) %s" % (a, grp),
            ]
            intl = [
                "+46 %s %s" % (a, grp),
                "+46%s%s" % (a, s),
                "0046 %s %s" % (a, grp),
                "+46 (0)%s-%s" % (a, grp),
                "+46-%s-%s" % (a, s),
            ]
        elif cc == "44":
            g = (
                _g(a + s, [4, 6])
                if a.startswith("7")
                else (_g(a + s, [2, 4, 4]) if a == "20" else _g(a + s, [3, 3, 4]))
            )
            nat = ["0" + g, "0" + a + s, "(0%s) %s" % (g.split(" ")[0], " ".join(g.split(" ")[1:]))]
            intl = ["+44 " + g, "+44 (0)" + g, "+44" + a + s, "0044 " + g]
        elif cc == "47":
            n = a + s
            nat = [_g(n, [3, 2, 3]), _g(n, [2, 2, 2, 2]), n]
            intl = [
                "+47 " + _g(n, [3, 2, 3]),
                "+47 " + _g(n, [2, 2, 2, 2]),
                "+47" + n,
                "0047 " + _g(n, [2, 2, 2, 2]),
            ]
        elif cc == "45":
            n = a + s
            nat = [_g(n, [2, 2, 2, 2]), _g(n, [4, 4])]
            intl = ["+45 " + _g(n, [2, 2, 2, 2]), "+45" + n, "0045 " + _g(n, [4, 4])]
        elif cc == "49":
            nat = ["0%s %s" % (a, s), "0%s/%s" % (a, s), "0%s-%s" % (a, s), "0%s %s %s" % (a, s[:4], s[4:])]
            intl = ["+49 %s %s" % (a, s), "+49 (0)%s %s" % (a, s), "+49%s%s" % (a, s), "0049 %s %s" % (a, s)]
        elif cc == "1":
            nat = [
                "(%s) %s-%s" % (a, s[:3], s[3:]),
                "%s-%s-%s" % (a, s[:3], s[3:]),
                "%s.%s.%s" % (a, s[:3], s[3:]),
            ]
            intl = ["+1 %s %s %s" % (a, s[:3], s[3:]), "+1 (%s) %s-%s" % (a, s[:3], s[3:])]
        else:  # 358
            nat = ["0%s %s %s" % (a, s[:3], s[3:]), "0%s-%s" % (a, s)]
            intl = ["+358 %s %s" % (a, s), "+358%s%s" % (a, s)]
        return nat, intl


def new_phone(rng, country, mobile=True):
    if country == "SE":
        if mobile:
            return Phone("46", "70", "17406" + "%02d" % rng.randint(5, 99))
        return rng.choice(
            [
                Phone("46", "8", "465004" + "%02d" % rng.randint(0, 99)),
                Phone("46", "31", "39006" + "%02d" % rng.randint(0, 99)),
                Phone("46", "40", "62804" + "%02d" % rng.randint(0, 99)),
                Phone("46", "980", "3192" + "%02d" % rng.randint(0, 99)),
            ]
        )
    if country == "GB":
        if mobile:
            return Phone("44", "7700", "900%03d" % rng.randint(0, 999))
        return rng.choice(
            [
                Phone("44", "20", "7946%04d" % rng.randint(0, 999)),
                Phone("44", "161", "496%04d" % rng.randint(0, 999)),
                Phone("44", "113", "496%04d" % rng.randint(0, 999)),
            ]
        )
    if country == "NO":
        if mobile:
            return Phone("47", rng.choice(["4", "9"]), "%07d" % rng.randint(1000000, 9999999))
        return Phone("47", "22", "%06d" % rng.randint(100000, 999999))
    if country == "DK":
        if mobile:
            return Phone("45", rng.choice(["2", "3", "4", "5"]), "%07d" % rng.randint(1000000, 9999999))
        return Phone("45", rng.choice(["33", "35", "86"]), "%06d" % rng.randint(100000, 999999))
    if country == "DE":
        if mobile:
            return Phone(
                "49", rng.choice(["151", "160", "170", "176"]), "%08d" % rng.randint(20000000, 99999999)
            )
        return rng.choice(
            [
                Phone("49", "30", "23125%03d" % rng.randint(0, 999)),
                Phone("49", "40", "66969%03d" % rng.randint(0, 999)),
                Phone("49", "89", "99998%03d" % rng.randint(0, 999)),
            ]
        )
    if country == "US":
        return Phone("1", rng.choice(["212", "415", "312", "617"]), "5550%03d" % rng.randint(100, 199))
    return Phone("358", rng.choice(["40", "50"]), "%07d" % rng.randint(1000000, 9999999))


# ---------------------------------------------------------------- identifiers
def personnummer(rng, coord=False, old=False):
    year = rng.randint(1919, 1923) if old else rng.randint(1944, 2011)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    dd = day + 60 if coord else day
    yymmdd = "%02d%02d%02d" % (year % 100, month, dd)
    base = yymmdd + "%03d" % rng.randint(2, 998)
    c = luhn_digit(base)
    full = base + c
    sep = "+" if old else "-"
    style = rng.choice(["10", "10", "12", "12", "12c", "10c"]) if not old else "10"
    if style == "10":
        s = full[:6] + sep + full[6:]
    elif style == "12":
        s = str(year)[:2] + full[:6] + "-" + full[6:]
    elif style == "12c":
        s = str(year)[:2] + full
    else:
        s = full
    if _sn_pnr is not None and not coord:
        assert _sn_pnr.is_valid(s), s
    assert luhn_ok(full)
    return s


def bad_personnummer(rng):
    year = rng.randint(1950, 2005)
    base = "%02d%02d%02d%03d" % (year % 100, rng.randint(1, 12), rng.randint(1, 28), rng.randint(2, 998))
    c = str((int(luhn_digit(base)) + rng.randint(1, 9)) % 10)
    # 10-digit form only: a 12-digit form would be a long digit run in readable text
    return base[:6] + "-" + base[6:] + c


def orgnr(rng):
    pre = rng.choice(["556", "556", "559", "802", "716", "769"])
    base = pre + "%06d" % rng.randint(0, 999999)
    s = base + luhn_digit(base)
    s = s[:6] + "-" + s[6:]
    if _sn_orgnr is not None:
        assert _sn_orgnr.is_valid(s), s
    return s


def card(rng, scheme=None):
    scheme = scheme or rng.choice(["visa", "visa", "mc", "mc2", "amex"])
    if scheme == "visa":
        p = "4" + "".join(str(rng.randint(0, 9)) for _ in range(14))
    elif scheme == "mc":
        p = "5" + str(rng.randint(1, 5)) + "".join(str(rng.randint(0, 9)) for _ in range(13))
    elif scheme == "mc2":
        p = str(rng.randint(2221, 2720)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
    else:
        p = rng.choice(["34", "37"]) + "".join(str(rng.randint(0, 9)) for _ in range(12))
    n = p + luhn_digit(p)
    if _sn_luhn is not None:
        assert _sn_luhn.is_valid(n)
    return n


def fmt_card(rng, n):
    if len(n) == 15:
        return rng.choice([n[:4] + " " + n[4:10] + " " + n[10:], n, n[:4] + "-" + n[4:10] + "-" + n[10:]])
    g = [n[i : i + 4] for i in range(0, 16, 4)]
    return rng.choice([" ".join(g), "-".join(g), n, " ".join(g)])


def bad_card(rng):
    n = card(rng, rng.choice(["visa", "mc"]))
    n = n[:-1] + str((int(n[-1]) + rng.randint(1, 9)) % 10)
    assert not luhn_ok(n)
    return " ".join(n[i : i + 4] for i in range(0, 16, 4))


def digits(rng, k):
    return "".join(str(rng.randint(0, 9)) for _ in range(k))


def iban(rng, country):
    if country == "SE":
        bban = rng.choice(["500", "800", "600", "300", "957", "120"]) + digits(rng, 17)
    elif country == "NO":
        while True:
            ten = rng.choice(["1503", "1607", "3000", "8601", "9710"]) + digits(rng, 6)
            c = no_kontonr_digit(ten)
            if c is not None:
                bban = ten + c
                break
    elif country == "DK":
        bban = rng.choice(["3000", "5301", "9570", "2400"]) + digits(rng, 10)
    elif country == "DE":
        bban = rng.choice(["10070000", "37040044", "50010517", "20050550"]) + digits(rng, 10)
    elif country == "GB":
        bban = (
            rng.choice(["NWBK", "BARC", "HBUK", "LOYD"])
            + rng.choice(["601613", "200415", "401276", "309634"])
            + digits(rng, 8)
        )
    elif country == "FI":
        p = rng.choice(["123456", "400100", "800012"]) + digits(rng, 7)
        bban = p + luhn_digit(p)
    else:  # NL
        while True:
            ten = digits(rng, 10)
            if nl_elfproef(ten):
                break
        bban = rng.choice(["ABNA", "RABO", "INGB"]) + ten
    ib = country + iban_check(country, bban) + bban
    assert iban_ok(ib)
    if _sn_iban is not None:
        assert _sn_iban.is_valid(ib), ib
    return ib


def spaced(ib):
    return " ".join(ib[i : i + 4] for i in range(0, len(ib), 4))


def bad_iban(rng, country):
    ib = iban(rng, country)
    i = rng.randint(6, len(ib) - 1)
    while not ib[i].isdigit():
        i = rng.randint(6, len(ib) - 1)
    ib = ib[:i] + str((int(ib[i]) + rng.randint(1, 9)) % 10) + ib[i + 1 :]
    assert not iban_ok(ib)
    return spaced(ib)


B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def tok(rng, n, alphabet=B62):
    return "".join(rng.choice(alphabet) for _ in range(n))


def uuid(rng):
    h = tok(rng, 32, "0123456789abcdef")
    return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], rng.choice("89ab"), h[17:20], h[20:])


def secret_url(rng, host=None):
    host = host or rng.choice(VENDOR_HOSTS)
    k = rng.randint(0, 10)
    if k == 0:
        return "https://%s/reset-password?token=%s" % (host, tok(rng, 40))
    if k == 1:
        return "https://%s/account/reset/%s/%s/" % (
            host,
            tok(rng, 3),
            tok(rng, 32, "0123456789abcdefghijklmnopqrstuvwxyz-"),
        )
    if k == 2:
        return "https://%s/invite/%s" % (host, tok(rng, 28))
    if k == 3:
        return "https://%s/verify-email/%s" % (host, uuid(rng))
    if k == 4:
        return "https://%s/unsubscribe?u=%s&sig=%s" % (
            host,
            tok(rng, 12, "0123456789abcdef"),
            tok(rng, 40, "0123456789abcdef"),
        )
    if k == 5:
        return "https://files.%s/dl/%s/arsredovisning_2023.pdf?X-Amz-Expires=3600&X-Amz-Signature=%s" % (
            host.split(".", 1)[1],
            uuid(rng),
            tok(rng, 64, "0123456789abcdef"),
        )
    if k == 6:
        return "https://%s/magic-login/%s" % (host, tok(rng, 36))
    if k == 7:
        return "https://%s/s/%s#access_token=%s" % (host, tok(rng, 10), tok(rng, 48))
    if k == 8:
        return "https://%s/members/%s/edit" % (host, uuid(rng))
    if k == 9:
        return "https://%s/share/%s" % (host, tok(rng, 24, "0123456789abcdefghijklmnopqrstuvwxyz"))
    return "https://%s/auth/callback?code=%s&state=%s" % (host, tok(rng, 30), tok(rng, 16))


def ipv4(rng):
    k = rng.randint(0, 4)
    if k == 0:
        return "10.%d.%d.%d" % (rng.randint(0, 255), rng.randint(0, 255), rng.randint(2, 254))
    if k == 1:
        return "192.168.%d.%d" % (rng.randint(0, 20), rng.randint(2, 254))
    return "%d.%d.%d.%d" % (
        rng.choice([78, 83, 85, 90, 94, 155, 185, 213]),
        rng.randint(0, 255),
        rng.randint(0, 255),
        rng.randint(2, 254),
    )


def ipv6(rng):
    h = lambda: "%x" % rng.randint(1, 0xFFFF)
    return rng.choice(
        [
            "2001:db8:%s::%s" % (h(), h()),
            "2a02:%s:%s:%s::%s" % (h(), h(), h(), h()),
            "fe80::%s:%s:%s:%s" % (h(), h(), h(), h()),
        ]
    )


# ---------------------------------------------------------------- people / world
class Person:
    def __init__(self, first, last, country):
        self.first, self.last, self.country = first, last, country

    @property
    def full(self):
        return self.first + " " + self.last

    def parts(self):
        return [p for p in re.split(r"[\s\-]+", self.full.replace("'", " ")) if len(p) >= 3]


def email_for(rng, p, domain):
    f, l = p.first.lower().translate(FOLD), p.last.lower().translate(FOLD)
    local = rng.choice(["%s.%s" % (f, l), "%s.%s" % (f, l), "%s%s" % (f[0], l), "%s" % f, "%s_%s" % (f, l)])
    if rng.random() < 0.25:
        domain = rng.choice(["gmail.com", "hotmail.com", "outlook.com", "icloud.com", "telia.com", "live.se"])
        local = "%s%s%s" % (f, l[:3], rng.randint(60, 99))
    return "%s@%s" % (local, domain)


class World:
    def __init__(self, rng, country, lang):
        self.rng, self.country, self.lang = rng, country, lang
        self.otype, self.org, self.domain = rng.choice(ORGS[country])
        self.city, self.postal = rng.choice(CITIES[country])
        used = set()

        def person(c=country):
            for _ in range(60):
                f, l = rng.choice(FIRST[c]), rng.choice(LAST[c])
                if f not in used and l not in used:
                    used.update([f, l])
                    return Person(f, l, c)
            return person(rng.choice(sorted(FIRST)))

        self.rep = person()
        self.members = [person() for _ in range(rng.randint(3, 5))]
        pool = [c for c in FIRST if rng.random() < 0.3] + [country]
        self.outsiders = [person(rng.choice(pool)) for _ in range(3)]
        r = self.rep
        self.rep_email = email_for(rng, r, self.domain)
        f, l = r.first.lower().translate(FOLD), r.last.lower().translate(FOLD)
        self.rep_user = rng.choice(
            [
                f[:3] + l[:3],
                f + "." + l,
                f[0] + l + str(rng.randint(1, 99)),
                l + f[:2],
                f + "_" + l[:1] + str(rng.randint(70, 99)),
            ]
        )
        pc = {"SE": "SE", "GB": "GB", "NO": "NO", "DK": "DK", "DE": "DE"}[country]
        self.rep_phone = new_phone(rng, pc, mobile=rng.random() < 0.8)
        nat, intl = self.rep_phone.spellings()
        self.profile_is_intl = rng.random() < 0.6
        self.rep_phone_profile = rng.choice(intl if self.profile_is_intl else nat)
        self.member_email = {m.full: email_for(rng, m, self.domain) for m in self.members}
        self.out_email = {
            m.full: email_for(
                rng,
                m,
                rng.choice(
                    ["gmail.com", "outlook.com", "yahoo.co.uk", "web.de", "online.no", "mail.dk", self.domain]
                ),
            )
            for m in self.outsiders
        }
        self.product = rng.choice(PRODUCTS)
        self.host = rng.choice(VENDOR_HOSTS)
        self.orgnr = orgnr(rng) if country == "SE" else None

    # --- reporter pieces
    def R(self, form="full"):
        r = self.rep
        t = {
            "full": r.full,
            "first": r.first,
            "last": r.last,
            "upper": r.full.upper(),
            "lastfirst": "%s, %s" % (r.last, r.first),
            "LASTFIRST": "%s, %s" % (r.last.upper(), r.first.upper()),
            "lower": r.full.lower(),
        }[form]
        return S("reporter", t)

    def Rsplit(self):
        return S("reporter", self.rep.first + "\n" + self.rep.last)

    def Rem(self, upper=False):
        return S("reporter", self.rep_email.upper() if upper else self.rep_email)

    def Ru(self):
        return S("reporter", self.rep_user)

    def Rph(self, other=True, split=False):
        nat, intl = self.rep_phone.spellings()
        pool = (nat if self.profile_is_intl else intl) if other else nat + intl
        t = self.rng.choice(pool)
        if split and " " in t:
            idx = [i for i, ch in enumerate(t) if ch == " "]
            i = self.rng.choice(idx[len(idx) // 2 :])
            t = t[:i] + "\n" + t[i + 1 :]
        return S("reporter", t)

    # --- members / others
    def M(self, i=None, form="full"):
        m = self.members[i % len(self.members)] if i is not None else self.rng.choice(self.members)
        return S("name", {"full": m.full, "first": m.first, "last": m.last, "upper": m.full.upper()}[form])

    def Mem(self, i):
        m = self.members[i % len(self.members)]
        return S("email", self.member_email[m.full])

    def mfull(self, i):
        return self.members[i % len(self.members)]

    def X(self, i=0, form="full"):
        o = self.outsiders[i % 3]
        return D("person", {"full": o.full, "first": o.first, "last": o.last}[form])

    def Xem(self, i=0):
        return S("email", self.out_email[self.outsiders[i % 3].full])

    def ph(self, country=None, mobile=True, intl=None):
        while True:
            p = new_phone(self.rng, country or self.country, mobile)
            if p.nsn != self.rep_phone.nsn:  # never re-use the reporter's number for someone else
                break
        nat, ins = p.spellings()
        if intl is None:
            intl = self.rng.random() < 0.4
        return S("phone", self.rng.choice(ins if intl else nat))

    def email(self, local=None, domain=None):
        local = local or self.rng.choice(
            [
                "kansli",
                "info",
                "ekonomi",
                "styrelsen",
                "kassor",
                "admin",
                "office",
                "post",
                "medlem",
                "bokning",
            ]
        )
        return S("email", "%s@%s" % (local, domain or self.domain))

    def iban(self, country=None, form=None):
        ib = iban(self.rng, country or self.country)
        form = form or self.rng.choice(["spaced", "spaced", "compact", "lower", "lowerspaced"])
        t = {"spaced": spaced(ib), "compact": ib, "lower": ib.lower(), "lowerspaced": spaced(ib).lower()}[
            form
        ]
        return S("iban", t)

    def pnr(self, **kw):
        return S("personnummer", personnummer(self.rng, **kw))

    def card(self, scheme=None):
        return S("card", fmt_card(self.rng, card(self.rng, scheme)))

    def url(self):
        return S("url", secret_url(self.rng, self.host))

    def pub(self):
        return D("public link", self.rng.choice(PUBLIC_LINKS))

    def ip(self):
        return S("ip", ipv6(self.rng) if self.rng.random() < 0.2 else ipv4(self.rng))

    # --- distractor helpers
    def date(self, lang=None):
        lang = lang or self.lang
        rng = self.rng
        y, m, d = rng.choice([2023, 2024, 2024, 2025]), rng.randint(1, 12), rng.randint(1, 28)
        forms = ["%d-%02d-%02d" % (y, m, d)]
        if lang == "sv":
            forms += [
                "%d %s %d" % (d, SV_MONTHS[m - 1], y),
                "%d/%d" % (d, m),
                "den %d %s" % (d, SV_MONTHS[m - 1]),
            ]
        else:
            forms += [
                "%02d/%02d/%d" % (d, m, y),
                "%d %s %d" % (d, EN_MONTHS[m - 1], y),
                "%s %d" % (EN_MONTHS[m - 1], d),
                "%d.%d.%d" % (d, m, y),
            ]
        return D("date", rng.choice(forms))

    def time(self):
        h, mi = self.rng.randint(7, 22), self.rng.randint(0, 59)
        return D("time", self.rng.choice(["%02d:%02d" % (h, mi), "%02d.%02d" % (h, mi), "%d:%02d" % (h, mi)]))

    def ts(self):
        rng = self.rng
        return "2024-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
            rng.randint(1, 12),
            rng.randint(1, 28),
            rng.randint(0, 23),
            rng.randint(0, 59),
            rng.randint(0, 59),
            rng.randint(0, 999),
        )

    def amount(self, cur=None):
        rng = self.rng
        cur = cur or {"SE": "SEK", "NO": "NOK", "DK": "DKK", "DE": "EUR", "GB": "GBP"}[self.country]
        v = rng.choice([150, 250, 300, 450, 600, 750, 1200, 1250, 2400, 3500, 4800, 12500])
        if cur == "SEK":
            t = rng.choice(
                ["%d kr" % v, "%s kr" % "{:,}".format(v).replace(",", " "), "%d:-" % v, "SEK %d" % v]
            )
        elif cur == "EUR":
            t = rng.choice(["%d,00 €" % v, "€%d.00" % v, "EUR %d" % v])
        elif cur == "GBP":
            t = rng.choice(["£%d" % v, "£%d.50" % v, "GBP %d" % v])
        elif cur == "NOK":
            t = rng.choice(["NOK %d" % v, "kr %d,-" % v])
        else:
            t = rng.choice(["DKK %d" % v, "%d,00 kr." % v])
        return D("amount", t)

    def num(self, sort):
        rng = self.rng
        t = {
            "order number": "ORD-%d" % rng.randint(10000, 99999),
            "invoice number": rng.choice(
                [
                    "F%d" % rng.randint(2400, 2999),
                    "INV-2024-%04d" % rng.randint(1, 9999),
                    "faktura %d" % rng.randint(10000, 99999),
                ]
            ),
            "ticket number": rng.choice(
                ["#%d" % rng.randint(40000, 99999), "SUP-%d" % rng.randint(1000, 9999)]
            ),
            "case number": rng.choice(
                [
                    "ärende %d" % rng.randint(10000, 99999),
                    "case %d" % rng.randint(10000, 99999),
                    "CS-%d-%04d" % (rng.choice([2023, 2024]), rng.randint(1, 9999)),
                ]
            ),
            "tracking number": "%s %s %s %s SE"
            % (rng.choice(["RR", "UA", "LX"]), digits(rng, 3), digits(rng, 3), digits(rng, 3)),
            "version": rng.choice(
                [
                    "4.12.%d" % rng.randint(0, 9),
                    "v2.%d.%d" % (rng.randint(0, 30), rng.randint(0, 9)),
                    "5.2.0.%d" % rng.randint(1000, 1999),
                    "17.%d" % rng.randint(1, 9),
                ]
            ),
            "masked card": rng.choice(
                [
                    "**** **** **** %s" % digits(rng, 4),
                    "•••• %s" % digits(rng, 4),
                    "XXXX-XXXX-XXXX-%s" % digits(rng, 4),
                    "**** %s" % digits(rng, 4),
                ]
            ),
        }[sort]
        return D(sort, t)

    def title(self):
        return D("job title", self.rng.choice(TITLES_SV if self.lang == "sv" else TITLES_EN))

    def company(self):
        return D("company", self.rng.choice(COMPANIES))

    def prod(self):
        return D("product", self.product)

    def orgname(self):
        return D("company", self.org)


# ---------------------------------------------------------------- templates
def pick(rng, *xs):
    return rng.choice(xs)


def t_plain(w, lang):
    rng, b = w.rng, Builder()
    if lang == "sv":
        b.add(
            pick(rng, "Hej!\n\n", "Hej support,\n\n", "Hejsan\n\n"),
            "Sedan ni släppte ",
            w.num("version"),
            " ",
            w.date("sv"),
            " kan varken jag eller ",
            w.M(0, "first"),
            " logga in i ",
            w.prod(),
            ". ",
            pick(rng, 'Det står bara "Något gick fel".', "Sidan laddar om hela tiden."),
            "\n\n",
            w.M(1),
            " (",
            w.title(),
            ") fick ett sms till ",
            w.ph(),
            " men koden gick inte att använda.\n\n",
            "Dessutom har faktura ",
            w.num("invoice number"),
            " på ",
            w.amount(),
            " dragits två gånger från kortet ",
            w.num("masked card"),
            ". Vi vill ha pengarna tillbaka till föreningens konto ",
            w.iban(form="spaced"),
            ".\n\nRing mig gärna på ",
            w.Rph(),
            " efter kl. ",
            w.time(),
            ", eller maila ",
            w.Rem(),
            ".\n\n",
            pick(rng, "Mvh\n", "Vänliga hälsningar\n", "Hälsningar\n"),
            w.R(),
            "\n",
            w.title(),
            ", ",
            w.orgname(),
            "\n",
        )
    elif lang == "en":
        b.add(
            pick(rng, "Hi,\n\n", "Hello support team,\n\n", "Dear Sir/Madam,\n\n"),
            "I am writing to complain about the renewal charge on ",
            w.date("en"),
            ". We were billed ",
            w.amount(),
            " under invoice ",
            w.num("invoice number"),
            " although ",
            w.M(0),
            " cancelled the plan weeks ago. ",
            w.M(0, "first"),
            "'s confirmation email is attached.\n\n",
            "The charge went to the card ending ",
            w.num("masked card"),
            ". Please refund it to our account ",
            w.iban(form=pick(rng, "spaced", "compact")),
            " instead, as that card has been closed.\n\n",
            "Our ",
            w.title(),
            ", ",
            w.M(1),
            ", can be reached on ",
            w.ph(),
            " if you need anything confirmed. ",
            "I am on ",
            w.Rph(),
            " most mornings.\n\n",
            pick(rng, "Kind regards,\n", "Best wishes,\n", "Regards\n"),
            w.R(),
            "\n",
            w.orgname(),
            ", ",
            D("city", w.city),
            "\n",
        )
    else:
        b.add(
            "Hej! Sorry for writing in English and Swedish om vartannat.\n\n",
            "Vi har problem med ",
            w.prod(),
            " after the update to ",
            w.num("version"),
            ". ",
            w.M(0),
            " och jag can't see the member list anymore. ",
            "Det gäller ",
            w.orgname(),
            " (org.nr ",
            D("org number", w.orgnr or orgnr(rng)),
            ").\n\n",
            "The error came ",
            w.date("en"),
            " around ",
            w.time(),
            ". Ring mig på ",
            w.Rph(),
            " or send an email to ",
            w.Rem(),
            " – thanks!\n\n/",
            w.R("first"),
            "\n",
        )
    return "plain email", b


def t_fwd_sv(w, lang):
    rng, b = w.rng, Builder()
    m = w.mfull(1)
    intro = (
        [
            "Hej,\n\nVidarebefordrar det här från ",
            w.M(1, "first"),
            " i ",
            D("team", rng.choice(TEAMS_SV)),
            ". Kan ni titta på det? Det är bråttom eftersom årsmötet är ",
            w.date("sv"),
            ".\n\n/",
            w.R("first"),
            "\n\n",
        ]
        if lang == "sv"
        else [
            "Hi,\n\nForwarding this from ",
            w.M(1, "first"),
            " – it's in Swedish, sorry. Short version: the payout to ",
            "the club's account bounced. Can you check?\n\nThanks, ",
            w.R("first"),
            "\n\n",
        ]
    )
    header = [
        "Från: ",
        w.M(1),
        " <",
        w.Mem(1),
        ">\n",
        "Skickat: ",
        w.date("sv"),
        " ",
        w.time(),
        "\n",
        "Till: ",
        w.R(),
        " <",
        w.Rem(),
        ">\n",
        pick(rng, ["Kopia: ", w.Mem(2), "\n"], ""),
        "Ämne: VB: ",
        pick(rng, "Utbetalning nekad", "Fel i medlemsregistret", "Inloggning funkar inte"),
        "\n\n",
    ]
    body = [
        "Hej ",
        w.R("first"),
        "!\n\nBanken säger att kontot ",
        w.iban(form=pick(rng, "spaced", "compact", "lowerspaced")),
        " inte finns. Jag har dubbelkollat med ",
        w.X(0),
        " på ",
        w.company(),
        " och de har samma nummer.\n",
        "Kan du ringa mig på ",
        w.ph(),
        "? Jag är hemma efter ",
        w.time(),
        ".\n\nHälsningar\n",
        w.M(1, "first"),
        "\n",
    ]
    older = [
        "Från: ",
        w.X(1),
        " <",
        w.Xem(1),
        ">\nSkickat: ",
        w.date("sv"),
        "\nTill: ",
        w.Mem(1),
        "\nÄmne: Utbetalning ",
        w.num("case number"),
        "\n\nHej,\nutbetalningen på ",
        w.amount(),
        " kunde inte genomföras. Se ",
        w.pub(),
        " för mer info.\nMvh ",
        w.X(1, "first"),
        "\n",
    ]
    b.add(intro, header, body, "\n", quote(older))
    return "forwarded thread", b


def t_fwd_outlook(w, lang):
    rng, b = w.rng, Builder()
    b.add(
        pick(rng, "Hello,\n\nSee the thread below. ", "Hi there,\n\nPlease see below. "),
        "Our ",
        w.title(),
        " says the invitation link never arrived, and when I resend it from the admin page ",
        'I get this link which just says "expired":\n\n',
        w.url(),
        "\n\n",
        "Could you look at it before ",
        w.date("en"),
        "? The help article (",
        w.pub(),
        ") did not help.\n\n",
        w.R(),
        "\n",
        w.R("first") if False else "",
        w.orgname(),
        "\nTel: ",
        w.Rph(),
        "\n\n",
        "-----Original Message-----\nFrom: ",
        w.M(0),
        " <",
        w.Mem(0),
        ">\nSent: ",
        w.date("en"),
        " ",
        w.time(),
        "\n",
        "To: ",
        w.Rem(),
        "\nSubject: RE: ",
        w.prod(),
        " access\n\n",
        "Hi ",
        w.R("first"),
        ",\n\nStill nothing. I checked spam too. Could it be because my address changed when ",
        w.M(2),
        " merged the two lists? My mobile is ",
        w.ph(),
        " if that helps.\n\n",
        w.M(0, "first"),
        "\n\n",
        "-----Original Message-----\nFrom: ",
        w.R(),
        " <",
        w.Rem(),
        ">\nSent: ",
        w.date("en"),
        "\nTo: ",
        w.M(0),
        "\nSubject: ",
        w.prod(),
        " access\n\n",
        "Hi ",
        w.M(0, "first"),
        ", I've sent you an invite, please accept it ",
        "by Friday. ",
        w.R("first"),
        "\n",
    )
    return "forwarded thread", b


def t_log(w, lang):
    rng, b = w.rng, Builder()
    intro = {
        "sv": "Hej, här är loggen från vår integration, det började strula ",
        "en": "Hi, pasting the log from our side, errors started ",
        "mixed": "Hej! Loggen nedan, the errors started ",
    }[lang]
    b.add(intro, w.date(lang if lang != "mixed" else "en"), ":\n\n```\n")
    levels = ["INFO ", "WARN ", "ERROR", "DEBUG"]
    lines = [
        lambda: ["auth.login user=", w.Ru(), " ip=", w.ip(), " result=failed reason=otp_mismatch"],
        lambda: ["auth.login user=", w.Ru(), " ip=", w.ip(), " result=ok mfa=sms to=", w.Rph(other=False)],
        lambda: ["mail.send to=", w.Mem(rng.randint(0, 5)), " template=password_reset link=", w.url()],
        lambda: ["mail.bounce rcpt=", w.email(), " smtp=550 5.1.1 user unknown"],
        lambda: [
            "payments.payout iban=",
            w.iban(form="compact"),
            " amount=",
            w.amount(),
            " status=REJECTED code=AC01",
        ],
        lambda: [
            "http.request method=GET path=/api/v2/members status=429 client=",
            w.ip(),
            " version=",
            w.num("version"),
        ],
        lambda: [
            "import.row line=",
            str(rng.randint(2, 400)),
            " error=invalid_field field=personnummer value=",
            D("invalid checksum", bad_personnummer(rng)),
        ],
        lambda: ["import.row line=", str(rng.randint(2, 400)), " ok member_email=", w.Mem(rng.randint(0, 5))],
        lambda: ["sms.send to=", w.ph(intl=True), " provider=", w.company(), " status=delivered"],
        lambda: ["webhook.retry url=", w.url(), " attempt=", str(rng.randint(2, 5))],
        lambda: ["session.start user=", w.Rem(), " remote=", w.ip(), ' ua="Mozilla/5.0 (Windows NT 10.0)"'],
        lambda: [
            "worker.heartbeat queue=default pending=",
            str(rng.randint(0, 90)),
            " epoch=",
            D("timestamp", str(rng.randint(1700000000, 1735000000))),
        ],
    ]
    n = rng.randint(7, 16)
    for _ in range(n):
        b.add(D("timestamp", w.ts()), " ", rng.choice(levels), " ", rng.choice(lines)(), "\n")
    b.add(
        "```\n\n",
        {
            "sv": "Vet ni vad som händer? Ärendet gäller ",
            "en": "Any idea? This is about ",
            "mixed": "Kan ni kolla? It's about ",
        }[lang],
        w.orgname(),
        ".\n/",
        w.R("first"),
        "\n",
    )
    return "log excerpt", b


def t_json(w, lang):
    rng, b = w.rng, Builder()
    m = rng.randint(0, 5)
    intro = {
        "sv": "Vi får det här svaret från API:et när vi försöker uppdatera en medlem:\n\n",
        "en": "We get this response from the API when updating a member record:\n\n",
        "mixed": "Hej, vi får det här svaret when we try to update a member via the API:\n\n",
    }[lang]
    member = rng.random() < 0.6
    who = w.M(m) if member else w.X(0)
    b.add(
        intro,
        '{\n  "error": "validation_failed",\n  "request_id": "req_',
        tok(rng, 14),
        '",\n',
        '  "api_version": "',
        w.num("version"),
        '",\n  "member": {\n    "name": "',
        who,
        '",\n',
        '    "email": "',
        w.Mem(m) if member else w.Xem(0),
        '",\n    "phone": "',
        w.ph(intl=True),
        '",\n',
    )
    if w.country == "SE":
        b.add('    "personnummer": "', w.pnr(coord=rng.random() < 0.3), '",\n')
    b.add(
        '    "bank_account": "',
        w.iban(form="compact"),
        '",\n    "postal_code": "',
        D("postal code", w.postal),
        '",\n    "joined": "',
        D("date", "%d-%02d-%02d" % (rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28))),
        '"\n  },\n  "errors": [\n',
        '    {"field": "phone", "message": "Number already used by another member"},\n',
        '    {"field": "avatar", "message": "See ',
        w.pub(),
        '"}\n  ]\n}\n\n',
        {
            "sv": "Ring mig om ni behöver mer info: ",
            "en": "Call me if you need more info: ",
            "mixed": "Ring mig if you need more: ",
        }[lang],
        w.Rph(),
        "\n",
        w.R(),
        "\n",
    )
    return "json snippet", b


def t_csv(w, lang):
    rng, b = w.rng, Builder()
    sep = rng.choice([";", ",", "\t"])
    se = w.country == "SE"
    if lang == "sv":
        hdr = [
            "Förnamn",
            "Efternamn",
            "Personnummer" if se else "Född",
            "Mobil",
            "E-post",
            "Avgift",
            "Betald",
        ]
        b.add(
            "Hej, här är exporten från medlemsregistret. Raderna markerade med X går inte att importera:\n\n"
        )
    else:
        hdr = ["First name", "Last name", "Personnummer" if se else "Born", "Mobile", "Email", "Fee", "Paid"]
        b.add(
            {
                "en": "Hi, below is our member export. The rows marked X fail on import:\n\n",
                "mixed": "Hej, here's the export från medlemsregistret. X = fails on import:\n\n",
            }[lang]
        )
    b.add(sep.join(hdr), "\n")
    caps = rng.random() < 0.25
    rows = rng.randint(4, 12)
    people = [("m", i) for i in range(len(w.members))] + [("x", 0), ("x", 1), ("x", 2), ("r", 0)]
    rng.shuffle(people)
    for k in range(rows):
        kind, i = people[k % len(people)]
        if kind == "m":
            p = w.members[i]
            fn = S("name", p.first.upper() if caps else p.first)
            ln = S("name", p.last.upper() if caps else p.last)
            em = w.Mem(i)
        elif kind == "x":
            p = w.outsiders[i]
            fn, ln = (
                D("person", p.first.upper() if caps else p.first),
                D("person", p.last.upper() if caps else p.last),
            )
            em = w.Xem(i)
        else:
            fn, ln, em = (
                S("reporter", w.rep.first.upper() if caps else w.rep.first),
                S("reporter", w.rep.last.upper() if caps else w.rep.last),
                w.Rem(),
            )
        if se:
            idc = (
                w.pnr(coord=rng.random() < 0.2)
                if rng.random() < 0.85
                else D("invalid checksum", bad_personnummer(rng))
            )
        else:
            idc = D(
                "date", "%d-%02d-%02d" % (rng.randint(1950, 2012), rng.randint(1, 12), rng.randint(1, 28))
            )
        ph = w.Rph(other=False) if kind == "r" else w.ph(intl=rng.random() < 0.3)
        paid = rng.choice(["ja", "nej", "X"] if lang == "sv" else ["yes", "no", "X"])
        b.add(fn, sep, ln, sep, idc, sep, ph, sep, em, sep, w.amount(), sep, paid, "\n")
    b.add("\n", {"sv": "Mvh ", "en": "Thanks, ", "mixed": "Tack! "}[lang], w.R(), ", ", w.orgname(), "\n")
    return ("tsv paste" if sep == "\t" else "csv paste"), b


def t_chat(w, lang):
    rng, b = w.rng, Builder()
    style = rng.choice(["slack", "teams", "bracket"])
    day = "2024-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 28))
    h, mi = rng.randint(8, 20), rng.randint(0, 40)

    def who(sp):
        nonlocal mi
        mi += rng.randint(0, 3)
        t = "%02d:%02d" % (h, min(mi, 59))
        if style == "slack":
            return [sp, "  ", D("time", t), "\n"]
        if style == "teams":
            return ["[", D("date", day), " ", D("time", t), "] ", sp, ": "]
        return ["[", D("time", t), "] ", sp, ": "]

    def line(sp, *parts):
        b.add(who(sp), list(parts), "\n" if style != "slack" else "\n\n")

    intro = {
        "sv": "Klistrar in chatten från vår kanal så ni ser hela förloppet:\n\n",
        "en": "Copying our Teams chat so you have the whole story:\n\n",
        "mixed": "Här är chatten from our Slack channel:\n\n",
    }[lang]
    b.add(intro)
    sv = lang == "sv"
    line(
        w.R(),
        "har någon fått in betalningen från ",
        w.M(2),
        "?" if sv else "",
        "" if sv else " – did it arrive?",
    )
    line(
        w.M(0),
        "nej, men ",
        w.M(2, "first"),
        " ringde från ett nytt nummer " if sv else " called from a new number ",
        w.ph(),
        "",
    )
    line(
        w.R("first") if rng.random() < 0.5 else w.R(),
        "ok, skickar länken igen: " if sv else "ok resending the link: ",
        w.url(),
    )
    line(w.M(1), "den länken kan väl inte skickas öppet??" if sv else "should we be pasting that link here??")
    line(
        w.M(0),
        "kortet hen använde var " if sv else "the card they used was ",
        w.card(),
        " ",
        "– står på kvittot" if sv else "(it's on the receipt)",
    )
    line(
        w.R(),
        "ta bort det där! " if sv else "delete that! ",
        "ring mig på " if sv else "call me on ",
        w.Rph(),
        "",
    )
    if rng.random() < 0.6:
        line(w.M(1, "first"), "hjälpartikeln är här: " if sv else "help article: ", w.pub())
    if rng.random() < 0.5:
        line(
            w.M(0),
            w.X(1),
            " från " if sv else " from ",
            w.company(),
            " sa att det tar 3 bankdagar" if sv else " said it takes 3 banking days",
            "",
        )
    b.add(
        "\n",
        {
            "sv": "Kan ni radera kortnumret ur er logg? /",
            "en": "Can you purge the card number from your logs? ",
            "mixed": "Kan ni radera the card number? /",
        }[lang],
        w.R("first"),
        "\n",
    )
    return "chat transcript", b


def t_form(w, lang):
    rng, b = w.rng, Builder()
    if lang == "sv":
        b.add(
            "Nytt ärende via kontaktformuläret\n",
            "-" * 34,
            "\n",
            "Namn: ",
            w.R(rng.choice(["full", "upper", "lastfirst"])),
            "\nE-post: ",
            w.Rem(upper=rng.random() < 0.15),
            "\nTelefon: ",
            w.Rph(),
            "\nOrganisation: ",
            w.orgname(),
            "\nOrganisationsnummer: ",
            D("org number", w.orgnr or orgnr(rng)),
            "\nKategori: ",
            pick(rng, "Medlemsregister", "Fakturering", "Inloggning"),
            "\nPrioritet: Normal\nBeskrivning:\n",
            "Systemet godkänner inte personnumret ",
            w.pnr(coord=rng.random() < 0.3),
            " för ",
            w.M(0),
            ". Personen har samordningsnummer sedan flytten hit, det borde väl fungera? ",
            "Det gamla numret vi hade, ",
            D("invalid checksum", bad_personnummer(rng)),
            ", var felskrivet.\n",
            "Skickat: ",
            w.date("sv"),
            " ",
            w.time(),
            "\nIP: ",
            w.ip(),
            "\n",
        )
    else:
        b.add(
            "New ticket submitted via web form\n\n",
            "Name: ",
            w.R(rng.choice(["full", "upper", "lower"])),
            "\nEmail: ",
            w.Rem(),
            "\nPhone: ",
            w.Rph(),
            "\nUsername: ",
            w.Ru(),
            "\nOrganisation: ",
            w.orgname(),
            "\nCity: ",
            D("city", w.city),
            " ",
            D("postal code", w.postal),
            "\nTopic: ",
            pick(rng, "Billing", "Account access", "Data export"),
            "\nMessage:\n",
            pick(rng, "We can't add ", "Unable to add "),
            w.M(0),
            " as an admin – the page says the email ",
            w.Mem(0),
            " is already in use. ",
            w.M(0, "first"),
            "'s old account was deleted on ",
            w.date("en"),
            ". Our previous ticket ",
            w.num("ticket number"),
            " was closed without an answer.\n",
            "Browser: Firefox ",
            w.num("version"),
            "\nSubmitted from: ",
            w.ip(),
            "\n",
        )
    return "ticket form", b


def t_refund(w, lang):
    rng, b = w.rng, Builder()
    ib = iban(rng, w.country)
    run_on = rng.random() < 0.5
    after = {"sv": "tack", "en": "thanks", "mixed": "tack"}[lang]
    if run_on:
        ibparts = [
            S("iban", rng.choice([ib, ib.lower()])),
            after + " på förhand" if lang != "en" else after + " in advance",
        ]
    else:
        ibparts = [S("iban", rng.choice([spaced(ib).lower(), spaced(ib), ib])), "."]
    if lang == "sv":
        b.add(
            "Hej,\n\nVi har betalat abonnemanget två gånger (",
            w.num("order number"),
            " och ",
            w.num("order number"),
            "), ",
            w.amount(),
            " vardera. Första betalningen gjordes med kortet ",
            w.card(),
            " och den andra med ",
            w.num("masked card"),
            ".\n\nÅterbetala gärna till IBAN ",
            ibparts,
            "\n\n",
            "OBS: ett tidigare mejl från oss hade ett felaktigt kontonummer, ",
            D("invalid checksum", bad_iban(rng, w.country)),
            ", bortse från det.\n\n",
            pick(rng, "Mvh ", "Hälsningar\n"),
            w.R(),
            "\n",
            w.title(),
            "\n",
        )
    else:
        b.add(
            "Hello,\n\nWe were charged twice for ",
            w.prod(),
            " (orders ",
            w.num("order number"),
            " and ",
            w.num("order number"),
            "). The first payment used card ",
            w.card(),
            "; the second the card ending ",
            w.num("masked card"),
            ".\n\nPlease refund to IBAN ",
            ibparts,
            "\n\n",
            "Ignore the number in my earlier mail (",
            D("invalid checksum", bad_iban(rng, w.country)),
            "), I mistyped it. ",
            "Another card number you may see, ",
            D("invalid checksum", bad_card(rng)),
            ", is not ours.\n\n",
            "Cheers,\n",
            w.R(),
            "\n",
            w.orgname(),
            "\n",
        )
    return "plain email", b


def t_accounting(w, lang):
    rng, b = w.rng, Builder()
    firm = rng.choice(
        [
            "Sjöbergs Måleri",
            "Nordkustens Rör",
            "Café Kanelbullen",
            "Bageri Solrosen",
            "Åkeri Fjällvind",
            "Hantverkshuset Ek",
        ]
    )
    if lang == "sv":
        b.add(
            "Hej!\n\nVi sköter bokföringen åt ",
            D("company", firm + " AB"),
            " (org.nr ",
            D("org number", orgnr(rng)),
            ") och behöver lägga upp VD:n ",
            w.X(0),
            " som användare. Personnumret är ",
            w.pnr(),
            ". Styrelseledamoten ",
            w.X(1),
            " har samordningsnummer ",
            w.pnr(coord=True),
            ".\n\n",
            "Systemet blandar ihop fälten – när vi skriver in organisationsnumret ",
            D("org number", orgnr(rng)),
            ' säger det "ogiltigt personnummer". Vår egen byrå har ',
            D("org number", w.orgnr or orgnr(rng)),
            ".\n\n",
            "Kontaktperson hos oss är ",
            w.M(0),
            ", ",
            w.Mem(0),
            ". Själv nås jag på ",
            w.Rph(),
            ".\n\n",
            "Mvh\n",
            w.Rsplit() if rng.random() < 0.4 else w.R(),
            "\n",
            w.orgname(),
            "\n",
        )
    else:
        b.add(
            "Hi,\n\nWe do the books for ",
            D("company", firm + " AB"),
            ", company reg. no. ",
            D("org number", orgnr(rng)),
            ". We need to add the owner ",
            w.X(0),
            " (personnummer ",
            w.pnr(),
            ") and the board member ",
            w.X(1),
            ", who only has a coordination number, ",
            w.pnr(coord=True),
            ".\n\n",
            "The form rejects the coordination number and accepts the org number ",
            D("org number", orgnr(rng)),
            " in the personal ID field, which seems backwards. Our own firm is ",
            D("org number", w.orgnr or orgnr(rng)),
            ".\n\nPlease contact ",
            w.M(0),
            " (",
            w.Mem(0),
            ") or me on ",
            w.Rph(),
            ".\n\n",
            "Best regards\n",
            w.Rsplit() if rng.random() < 0.4 else w.R(),
            "\n",
            w.orgname(),
            "\n",
        )
    return "plain email", b


def t_links(w, lang):
    rng, b = w.rng, Builder()
    if lang == "sv":
        b.add(
            "Hej,\n\n",
            w.M(0),
            " har fått ett mejl om lösenordsåterställning som ingen bett om. Länken var:\n",
            w.url(),
            "\n\nOch igår kom en inbjudan till ",
            w.Mem(0),
            " med denna länk:\n",
            w.url(),
            "\n\n",
            "Är vi hackade? Jag läste ",
            w.pub(),
            " men blev inte klokare. Inloggningarna kom från ",
            w.ip(),
            " enligt aktivitetsloggen.\n\nMvh ",
            w.R(),
            "\n",
        )
    else:
        b.add(
            "Hi,\n\n",
            w.M(0),
            " received a password reset email nobody requested:\n\n  ",
            w.url(),
            "\n\n",
            "and ",
            w.M(1, "first"),
            ' got this "verify your email" link for an account nobody created:\n\n  ',
            w.url(),
            "\n\nThe activity log shows sign-ins from ",
            w.ip(),
            " and ",
            w.ip(),
            ". Your status page (",
            w.pub(),
            ") shows no incident. Is this phishing?\n\n",
            w.R(),
            "\n",
            w.orgname(),
            "\n",
        )
    return "plain email", b


def t_bounce(w, lang):
    rng, b = w.rng, Builder()
    m = w.mfull(0)
    local = w.member_email[m.full].split("@")[0]
    dom = w.domain
    if "." in dom[:-4] and rng.random() < 0.5:
        i = dom.index(".") + 1
    else:
        i = rng.randint(3, len(dom.split(".")[0]) - 1)
    split_addr = "%s@%s\n%s" % (local, dom[:i], dom[i:])
    if lang == "sv":
        b.add(
            "Hej, alla utskick till en av våra styrelsemedlemmar studsar. Här är studsmeddelandet:\n\n",
            "Leveransen misslyckades till följande mottagare eller grupper:\n\n",
            S("email", split_addr),
            "\n\n",
            "Diagnostisk information för administratörer:\nGenererad av server: ",
            D("company", "mx1." + dom),
            "\n",
            "Fjärrserver returnerade '550 5.1.1 User unknown'\nOriginalmeddelandets rubriker:\n",
            "Received: from mail.",
            w.host,
            " (",
            w.ip(),
            ") by mx1 with ESMTPS; ",
            w.date("en"),
            "\n",
            "Message-ID: <",
            tok(rng, 10),
            ".",
            tok(rng, 6),
            "@",
            w.host,
            ">\n\n",
            "Adressen är rätt stavad, ",
            w.M(0, "first"),
            " har kollat. Ring ",
            w.Rph(),
            " om ni undrar något.\n",
            "/",
            w.R(),
            "\n",
        )
    else:
        b.add(
            "Hi, mail to one of our trustees keeps bouncing. Bounce below:\n\n",
            "Delivery has failed to these recipients or groups:\n\n",
            S("email", split_addr),
            "\n",
            "The email address you entered couldn't be found.\n\nDiagnostic information for administrators:\n",
            "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n",
            "Original message headers:\nReceived: from ",
            w.ip(),
            " by relay with SMTP; ",
            w.date("en"),
            "\n\n",
            w.M(0, "first"),
            " confirms the address is right. I'm on ",
            w.Rph(),
            ".\n",
            w.R(),
            "\n",
        )
    return "bounce paste", b


def t_sms(w, lang):
    rng, b = w.rng, Builder()
    if lang == "sv":
        b.add(
            "Hej!\n\nJag får aldrig sms-koden när jag ska logga in. Numret i min profil ska vara ",
            w.Rph(),
            " men när jag tittar under Inställningar står det något konstigt. Min användare är ",
            w.Ru(),
            ".\n\nJag har provat ",
            D("company", "BankID"),
            " också men då kommer jag till fel organisation (",
            w.orgname(),
            ").\n\nMvh\n",
            w.R(),
            "\n",
            w.Rph(other=False, split=rng.random() < 0.5),
            "\n",
        )
    elif lang == "en":
        b.add(
            "Hello,\n\nI never receive the SMS code when signing in. My number is ",
            w.Rph(),
            " (UK mobile). " if w.country == "GB" else ". ",
            "My username is ",
            w.Ru(),
            " and I last managed to log in on ",
            w.date("en"),
            ". Your troubleshooting page ",
            w.pub(),
            " suggests checking the country code, ",
            "which I did.\n\nThanks,\n",
            w.R(rng.choice(["full", "upper"])),
            "\n",
            w.title(),
            ", ",
            w.orgname(),
            "\n",
            "M: ",
            w.Rph(other=False, split=rng.random() < 0.5),
            "\n",
        )
    else:
        b.add(
            "Hej, quick one: jag får inga SMS codes längre. Mitt nummer ",
            w.Rph(),
            ", användarnamn ",
            w.Ru(),
            ". Tried in both Chrome och Safari. ",
            w.M(0),
            " has the same problem since ",
            w.date("en"),
            ".\n\n/",
            w.R(),
            "\n",
        )
    return "plain email", b


def t_gdpr(w, lang):
    rng, b = w.rng, Builder()
    if lang == "sv":
        b.add(
            "Hej,\n\nJag begär härmed att alla mina personuppgifter raderas enligt GDPR artikel 17.\n\n",
            "Namn: ",
            w.R(),
            "\nPersonnummer: ",
            w.pnr(),
            "\nE-post: ",
            w.Rem(),
            "\nTelefon: ",
            w.Rph(),
            "\n\nJag var medlem i ",
            w.orgname(),
            " till ",
            w.date("sv"),
            ". Bekräfta gärna skriftligt. ",
            "Min före detta kontaktperson i föreningen var ",
            w.M(0),
            ".\n\nMvh ",
            w.R("first"),
            "\n",
        )
    else:
        b.add(
            "To whom it may concern,\n\nUnder Article 15 GDPR I request a copy of all data you hold on me.\n\n",
            "Full name: ",
            w.R("upper" if rng.random() < 0.3 else "full"),
            "\nEmail: ",
            w.Rem(),
            "\nPhone: ",
            w.Rph(),
            "\nAccount: ",
            w.Ru(),
            "\n\nI was registered through ",
            w.orgname(),
            " (",
            D("city", w.city),
            "), ",
            "and my data was entered by ",
            w.M(0),
            ". Please reply within one month, i.e. before ",
            w.date("en"),
            ".\n\nYours faithfully,\n",
            w.R(),
            "\n",
        )
    return "plain email", b


def t_phone_note(w, lang):
    rng, b = w.rng, Builder()
    n = rng.randint(3, 6)
    if lang == "sv":
        b.add(
            "Hej, vi har problem med att telefonanteckningarna i ",
            w.prod(),
            " visas för fel handläggare. Exempel från idag:\n\n",
        )
        for k in range(n):
            b.add(
                "- ",
                w.time(),
                " ",
                w.X(k) if k % 2 else w.M(k),
                " ringde från ",
                w.ph(mobile=rng.random() < 0.7),
                ", gäller ",
                pick(rng, "ombokning", "faktura ", "kallelse", "intyg"),
                ", ärende ",
                w.num("case number"),
                "\n",
            )
        b.add("\nAlla ska gå till ", w.M(0), " men hamnar hos mig. Mvh ", w.R(), " (", w.title(), ")\n")
    else:
        b.add(
            "Hi, the call notes in ", w.prod(), " are being assigned to the wrong person. Today's list:\n\n"
        )
        for k in range(n):
            b.add(
                "* ",
                w.time(),
                " – ",
                w.X(k) if k % 2 else w.M(k),
                " called from ",
                w.ph(mobile=rng.random() < 0.7),
                " re ",
                pick(rng, "appointment change", "invoice query", "repeat prescription admin", "booking"),
                " (",
                w.num("ticket number"),
                ")\n",
            )
        b.add("\nThey should go to ", w.M(0), "'s queue, not mine. Thanks, ", w.R(), ", ", w.title(), "\n")
    return "call log", b


def t_signature(w, lang):
    rng, b = w.rng, Builder()
    if lang == "sv":
        b.add(
            "Hej!\n\nKvittot för ",
            w.amount(),
            " (",
            w.num("order number"),
            ") har fel mottagare – det står ",
            w.M(0),
            "s namn istället för föreningens. Kan ni ändra till ",
            w.orgname(),
            ", ",
            D("postal code", w.postal),
            " ",
            D("city", w.city),
            "?\n\n",
            "Med vänliga hälsningar\n\n",
            w.Rsplit(),
            "\n",
            w.title(),
            "\n",
            w.orgname(),
            "\n",
            "Mobil: ",
            w.Rph(split=rng.random() < 0.3),
            "\n",
            "Växel: ",
            w.ph(mobile=False),
            "\n",
            w.Rem(),
            "\n\n",
            "Detta e-postmeddelande kan innehålla konfidentiell information.\n",
        )
    else:
        b.add(
            "Hi,\n\nThe receipt for ",
            w.amount(),
            " (",
            w.num("order number"),
            ") is made out to ",
            w.M(0),
            "'s name instead of the organisation. Please reissue to ",
            w.orgname(),
            ", ",
            D("postal code", w.postal),
            " ",
            D("city", w.city),
            ".\n\nMany thanks\n\n",
            w.Rsplit(),
            "\n",
            w.title(),
            " | ",
            w.orgname(),
            "\n",
            "Direct: ",
            w.Rph(split=rng.random() < 0.3),
            " | Office: ",
            w.ph(mobile=False),
            "\n",
            w.Rem(),
            "\n\nThis email and any attachments are confidential.\n",
        )
    return "plain email", b


def t_foreign(w, lang):
    """English writer from NO/DK/DE/GB with local formats."""
    rng, b = w.rng, Builder()
    c = w.country
    greet = {"NO": "Hei", "DK": "Hej", "DE": "Guten Tag", "GB": "Hi", "SE": "Hej"}[c]
    sign = {
        "NO": "Hilsen",
        "DK": "Venlig hilsen",
        "DE": "Mit freundlichen Grüßen",
        "GB": "Cheers",
        "SE": "Mvh",
    }[c]
    b.add(
        greet,
        ",\n\nWe are a small ",
        {
            "club": "sports club",
            "school": "school",
            "accounting": "accounting office",
            "housing": "housing cooperative",
            "clinic": "practice",
            "ngo": "charity",
        }[w.otype],
        " in ",
        D("city", w.city),
        " (",
        w.orgname(),
        ") using ",
        w.prod(),
        " since ",
        w.date("en"),
        ".\n\n",
        "Since the last update the membership fee payouts fail. Our bank account is ",
        w.iban(c),
        " and the system ",
        "says the IBAN is invalid. Our old account, ",
        w.iban(c, form="compact"),
        ", still appears on the invoices.\n\n",
        "Also, the SMS reminders go to the wrong numbers: ",
        w.M(0),
        " should get them on ",
        w.ph(),
        " but they go to ",
        w.ph(intl=True),
        ", which belongs to someone outside the club.\n\n",
        "Please call me on ",
        w.Rph(),
        " (office hours) or ",
        w.ph(mobile=False),
        ". Reference: ",
        w.num("ticket number"),
        ".\n\n",
        sign,
        "\n",
        w.R(),
        "\n",
        w.title(),
        "\n",
        D("postal code", w.postal),
        " ",
        D("city", w.city),
        "\n",
    )
    return "plain email", b


def t_teams_it(w, lang):
    rng, b = w.rng, Builder()
    b.add(
        {
            "sv": "Hej! Vår IT-konsult bad mig skicka det här från nätverksloggen:\n\n",
            "en": "Hi, our IT volunteer asked me to forward this firewall output:\n\n",
            "mixed": "Hej, IT-killen bad mig skicka this firewall output:\n\n",
        }[lang]
    )
    b.add("time,src,dst,user,action\n")
    for _ in range(rng.randint(5, 10)):
        u = (
            w.Ru()
            if rng.random() < 0.4
            else (w.Mem(rng.randint(0, 5)) if rng.random() < 0.5 else S("email", "guest@" + w.domain))
        )
        b.add(
            D("timestamp", w.ts()),
            ",",
            w.ip(),
            ",",
            w.ip(),
            ",",
            u,
            ",",
            rng.choice(["ALLOW", "DENY", "DENY"]),
            "\n",
        )
    b.add(
        "\n",
        {
            "sv": "Är det era servrar? Version på klienten: ",
            "en": "Are those your servers? Client version: ",
            "mixed": "Är det era servrar? Client version ",
        }[lang],
        w.num("version"),
        "\n",
        w.R(),
        "\n",
    )
    return "csv paste", b


def t_booking(w, lang):
    rng, b = w.rng, Builder()
    sv = lang == "sv"
    b.add(
        "Hej, bokningarna nedan har dubblerats i kalendern:\n\n"
        if sv
        else "Hi, the bookings below are duplicated in the calendar:\n\n"
    )
    b.add("Datum\tTid\tLokal\tBokad av\tTelefon\n" if sv else "Date\tTime\tRoom\tBooked by\tPhone\n")
    for k in range(rng.randint(4, 9)):
        r = rng.random()
        who = w.R() if r < 0.2 else (w.M(k) if r < 0.7 else w.X(k))
        ph = w.Rph() if r < 0.2 else w.ph()
        b.add(
            w.date("en"),
            "\t",
            w.time(),
            "\t",
            D(
                "product",
                rng.choice(["Gymnastiksal B", "Lokal 3", "Bastun", "Hall A", "Studio 2", "Fälleslokalet"]),
            ),
            "\t",
            who,
            "\t",
            ph,
            "\n",
        )
    b.add("\nTack! /" if sv else "\nThanks, ", w.R(), "\n")
    return "tsv paste", b


def t_ticket_thread(w, lang):
    rng, b = w.rng, Builder()
    agent = w.X(2)
    if lang == "sv":
        b.add(
            "Svar på ",
            w.num("ticket number"),
            "\n\n",
            w.R("first"),
            " skrev ",
            w.date("sv"),
            " ",
            w.time(),
            ":\n",
            quote(
                [
                    "Hej igen. Jag har nu bytt e-post till ",
                    w.Rem(),
                    " men inloggningen skickas fortfarande till ",
                    "den gamla. Min kollega ",
                    w.M(0),
                    " har samma problem. Ny adress: ",
                    w.Mem(0),
                    ".\n",
                    "Kortet som dras är fortfarande ",
                    w.num("masked card"),
                    ".",
                ]
            ),
            "\n\n",
            agent,
            " (support) skrev ",
            w.date("sv"),
            ":\n",
            quote(
                [
                    "Hej! Tack för att du hör av dig. Kan du bekräfta ditt telefonnummer så vi kan verifiera dig?"
                ]
            ),
            "\n\nJa: ",
            w.Rph(),
            ". Och ",
            w.M(1, "first"),
            " i ",
            D("team", rng.choice(TEAMS_SV)),
            " kan bekräfta att jag är behörig.\n",
        )
        return "forwarded thread", b
    b.add(
        "Re: ",
        w.num("ticket number"),
        "\n\nOn ",
        w.date("en"),
        ", ",
        w.R(),
        " <",
        w.Rem(),
        "> wrote:\n",
        quote(
            [
                "I've changed my email but the login link still goes to the old one. ",
                w.M(0),
                " has the same ",
                "issue – the new address is ",
                w.Mem(0),
                ". Link I got: ",
                w.url(),
            ]
        ),
        "\n\nOn ",
        w.date("en"),
        ", ",
        agent,
        " (Support) wrote:\n",
        quote(["Thanks for getting in touch. Could you confirm the phone number on the account?"]),
        "\n\nSure, it's ",
        w.Rph(),
        ". ",
        w.M(1),
        " can confirm I'm an admin.\n",
    )
    return "forwarded thread", b


TEMPLATES = [
    (t_plain, ("sv", "en", "mixed"), ("SE",)),
    (t_fwd_sv, ("sv", "mixed"), ("SE",)),
    (t_fwd_outlook, ("en",), ("SE", "GB", "NO", "DK", "DE")),
    (t_log, ("sv", "en", "mixed"), ("SE", "GB", "NO", "DK", "DE")),
    (t_json, ("sv", "en", "mixed"), ("SE", "GB", "NO", "DK", "DE")),
    (t_csv, ("sv", "en", "mixed"), ("SE", "GB", "NO", "DK", "DE")),
    (t_chat, ("sv", "en", "mixed"), ("SE", "GB", "NO", "DK", "DE")),
    (t_form, ("sv", "en"), ("SE",)),
    (t_form, ("en",), ("GB", "NO", "DK", "DE")),
    (t_refund, ("sv", "en"), ("SE",)),
    (t_refund, ("en",), ("GB", "NO", "DK", "DE")),
    (t_accounting, ("sv", "en"), ("SE",)),
    (t_links, ("sv", "en"), ("SE", "GB", "NO", "DK", "DE")),
    (t_bounce, ("sv", "en"), ("SE", "GB", "NO", "DK", "DE")),
    (t_sms, ("sv", "en", "mixed"), ("SE", "GB", "NO", "DK", "DE")),
    (t_gdpr, ("sv",), ("SE",)),
    (t_gdpr, ("en",), ("SE", "GB", "NO", "DK", "DE")),
    (t_phone_note, ("sv", "en"), ("SE", "GB", "NO", "DK", "DE")),
    (t_signature, ("sv", "en"), ("SE", "GB", "NO", "DK", "DE")),
    (t_foreign, ("en",), ("GB", "NO", "DK", "DE")),
    (t_teams_it, ("sv", "en", "mixed"), ("SE", "GB", "NO", "DK", "DE")),
    (t_booking, ("sv", "en"), ("SE", "NO", "DK")),
    (t_ticket_thread, ("sv", "en"), ("SE", "GB", "NO", "DK", "DE")),
]


# ---------------------------------------------------------------- checks
URL_RE = re.compile(r"https?://|www\.", re.I)
IP4_RE = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")
IP6_RE = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])")
DIGITS_RE = re.compile(r"\d{7,}")


def self_check(msg, w):
    text = msg["text"]
    chars = list(text)
    for sp in msg["spans"]:
        for i in range(sp["start"], sp["end"]):
            chars[i] = " "
    outside = "".join(chars)
    # distractors that are allowed to look like URLs / long digit runs
    lenient = list(outside)
    for d in msg["distractors"]:
        if d["sort"] in ("public link", "timestamp"):
            for i in range(d["start"], d["end"]):
                lenient[i] = " "
    lenient = "".join(lenient)
    if "@" in outside:
        return "@ outside spans"
    if URL_RE.search(lenient):
        return "url outside spans"
    if IP4_RE.search(lenient):
        return "ipv4 outside spans"
    for m in IP6_RE.finditer(lenient):
        g = m.group(0)
        if "::" in g or g.count(":") >= 4:
            return "ipv6 outside spans"
    if DIGITS_RE.search(lenient):
        return "digit run outside spans"
    words = set()
    for p in [w.rep] + w.members:
        words.update(x.lower() for x in p.parts())
    words.add(w.rep_user.lower())
    low = outside.lower()
    for wd in words:
        if re.search(r"(?<![\w])" + re.escape(wd) + r"(?![\w])", low):
            return "name part %r outside spans" % wd
    return None


def validate(msg):
    text = msg["text"]
    prev = -1
    for sp in sorted(msg["spans"], key=lambda s: s["start"]):
        assert text[sp["start"] : sp["end"]] == sp["text"], sp
        assert sp["start"] >= prev, ("overlap", sp)
        assert sp["text"].strip() == sp["text"] and sp["text"], sp
        prev = sp["end"]
    occupied = [(s["start"], s["end"]) for s in msg["spans"]]
    for d in msg["distractors"]:
        assert text[d["start"] : d["end"]] == d["text"], d
        for a, e in occupied:
            assert d["end"] <= a or d["start"] >= e, ("distractor overlaps span", d)
    for sp in msg["spans"]:
        if sp["kind"] == "card":
            assert luhn_ok(re.sub(r"\D", "", sp["text"]))
        if sp["kind"] == "iban":
            assert iban_ok(sp["text"])
        if sp["kind"] == "personnummer":
            dg = re.sub(r"\D", "", sp["text"])[-10:]
            assert luhn_ok(dg)


# ---------------------------------------------------------------- driver
def lang_for(i):
    k = i % 20
    return "en" if k < 9 else ("sv" if k < 17 else "mixed")


def country_for(rng, lang):
    if lang != "en":
        return "SE"
    return rng.choices(["SE", "GB", "NO", "DK", "DE"], weights=[35, 20, 15, 15, 15])[0]


def generate():
    rng = random.Random(SEED)
    out = []
    i = 0
    while len(out) < N_MESSAGES:
        lang = lang_for(i)
        for _attempt in range(200):
            country = country_for(rng, lang)
            choices = [t for t, langs, cs in TEMPLATES if lang in langs and country in cs]
            if not choices:
                continue
            tpl = rng.choice(choices)
            w = World(rng, country, lang)
            style, b = tpl(w, lang)
            msg = {
                "id": "h-%04d" % (len(out) + 1),
                "lang": lang,
                "style": style,
                "reporter": {
                    "name": w.rep.full,
                    "email": w.rep_email,
                    "username": w.rep_user,
                    "phone": w.rep_phone_profile,
                },
                "org_members": [m.full for m in w.members],
                "text": b.text,
                "spans": b.spans,
                "distractors": b.dis,
            }
            n = len(msg["text"])
            limit = 6000 if style in ("log excerpt", "csv paste", "tsv paste") else 3000
            if n < 150 or n > limit:
                continue
            if self_check(msg, w):
                continue
            validate(msg)
            out.append(msg)
            break
        else:
            raise RuntimeError("could not build message %d" % i)
        i += 1
    return out


def main():
    messages = generate()
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(messages, ensure_ascii=False, indent=1) + "\n")
    print("wrote %d messages to %s" % (len(messages), OUT))


if __name__ == "__main__":
    main()
