"""Blind labelled corpus 'final' for the PII-masking engine (see ../blind/LABELS.md).

Deterministic: fixed seed, standard library only. Run from the project root:
    .venv/bin/python -m masking_corpus.final.generate
"""
import json
import random
import re
import string
from pathlib import Path

SEED = 20261206
N_MESSAGES = 320
PRODUCT = "Tidvis"

# ---------------------------------------------------------------- checksums

def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_digit(partial):
    for c in "0123456789":
        if luhn_ok(partial + c):
            return c
    raise AssertionError


def iban_checkdigits(cc, bban):
    s = bban + cc + "00"
    num = "".join(str(int(ch, 36)) for ch in s.upper())
    return "%02d" % (98 - int(num) % 97)


def iban_ok(iban):
    s = iban.replace(" ", "").upper()
    s = s[4:] + s[:4]
    return int("".join(str(int(ch, 36)) for ch in s)) % 97 == 1


def no_mod11(first10):
    w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    r = 11 - sum(int(a) * b for a, b in zip(first10, w)) % 11
    if r == 11:
        return "0"
    if r == 10:
        return None
    return str(r)

# ---------------------------------------------------------------- builder

class B:
    def __init__(self):
        self.buf = []
        self.pos = 0
        self.spans = []
        self.dis = []

    def t(self, s):
        self.buf.append(s)
        self.pos += len(s)
        return self

    def _add(self, lst, text, key, val):
        lst.append({"start": self.pos, "end": self.pos + len(text), key: val, "text": text})
        self.t(text)
        return self

    def s(self, text, kind):
        return self._add(self.spans, text, "kind", kind)

    def d(self, text, sort):
        return self._add(self.dis, text, "sort", sort)

    @property
    def text(self):
        return "".join(self.buf)

# ---------------------------------------------------------------- pools

NAMES = {
    "se": (["Anna", "Erik", "Karin", "Johan", "Maria", "Lars", "Sara", "Mikael", "Emma", "Anders", "Elin",
            "Fredrik", "Hanna", "Magnus", "Linnea", "Oskar", "Ida", "Viktor", "Malin", "Sofia", "Frida",
            "Gustav", "Agnes", "Nils", "Ebba", "Klara", "Mattias", "Jenny", "Åsa", "Göran", "Ulrika",
            "Petra", "Cecilia", "Kristoffer", "Lovisa", "Rebecka", "Maja", "Henrik", "Tove", "Annika"],
           ["Lindqvist", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
            "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Bengtsson", "Lindström", "Lindberg",
            "Lindgren", "Jakobsson", "Magnusson", "Axelsson", "Sandberg", "Forsberg", "Sjöberg", "Wallin",
            "Engström", "Danielsson", "Håkansson", "Lundgren", "Bergström", "Holmberg", "Nyström",
            "Fransson", "Hedlund", "Sundberg", "Öberg", "Åkesson", "Blomqvist", "Ekström", "Hallberg",
            "Söderberg", "Wikström"]),
    "no": (["Ingrid", "Eirik", "Sigrid", "Håkon", "Silje", "Torbjørn", "Marte", "Kristian", "Solveig",
            "Vegard", "Ragnhild", "Øystein"],
           ["Solberg", "Haugen", "Bakke", "Hansen", "Johannessen", "Berntsen", "Dahl", "Moen", "Aasen",
            "Fossum", "Kvam", "Sæther"]),
    "dk": (["Mette", "Rasmus", "Freja", "Søren", "Louise", "Mads", "Camilla", "Jesper", "Signe", "Troels"],
           ["Kristensen", "Nielsen", "Madsen", "Jensen", "Rasmussen", "Pedersen", "Thomsen", "Sørensen",
            "Mikkelsen", "Frederiksen"]),
    "fi": (["Aino", "Mikko", "Juha", "Liisa", "Tuomas", "Satu", "Jukka", "Heidi", "Antti", "Riikka"],
           ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Laine", "Heikkinen", "Koskinen", "Järvinen",
            "Lehtonen", "Salonen"]),
    "de": (["Jonas", "Katrin", "Felix", "Lena", "Tobias", "Sabine", "Lukas", "Anja", "Matthias", "Julia"],
           ["Becker", "Schulz", "Hoffmann", "Wagner", "Krüger", "Schröder", "Neumann", "Zimmermann",
            "Braun", "Hartmann"]),
    "gb": (["Oliver", "Charlotte", "James", "Harriet", "Thomas", "Eleanor", "George", "Imogen", "Samuel",
            "Lucy", "Rebecca", "Alistair"],
           ["Bennett", "Hughes", "Whitaker", "Fletcher", "Pritchard", "Ashworth", "Thornton", "Gallagher",
            "Holloway", "Pemberton"]),
    "us": (["Megan", "Tyler", "Ashley", "Ryan"], ["Sullivan", "Brooks", "Reyes", "Carter"]),
}

COMPANIES = {
    "se": [("Bergslagens Elteknik AB", "bergslagenselteknik.se", "Örebro", "702 10", "Järntorgsgatan 4"),
           ("Nordkap Bygg AB", "nordkapbygg.se", "Luleå", "972 31", "Storgatan 19"),
           ("Kaffebryggeriet i Umeå AB", "kaffebryggeriet.se", "Umeå", "903 25", "Kungsgatan 52"),
           ("Halland Fastighetsservice AB", "hallandfast.se", "Halmstad", "302 42", "Brogatan 7"),
           ("Skärgårdsfrakt AB", "skargardsfrakt.se", "Stockholm", "111 22", "Vasagatan 11"),
           ("Mälarvåg Redovisning AB", "malarvag.se", "Västerås", "722 15", "Stora Gatan 30"),
           ("Norrsken Media AB", "norrskenmedia.se", "Göteborg", "411 06", "Kungsportsavenyen 21"),
           ("Granit & Glas i Malmö AB", "granitglas.se", "Malmö", "211 20", "Södra Förstadsgatan 8"),
           ("Lotsen Revision AB", "lotsenrevision.se", "Uppsala", "753 20", "Dragarbrunnsgatan 36"),
           ("Kvarnbacken Förskola AB", "kvarnbacken.se", "Sundsvall", "852 30", "Esplanaden 12")],
    "no": [("Fjordlogistikk AS", "fjordlogistikk.no", "Bergen", "5003", "Strandkaien 2"),
           ("Trondheim Sykkelverksted AS", "sykkelverkstedet.no", "Trondheim", "7011", "Olav Tryggvasons gate 5"),
           ("Nordlys Regnskap AS", "nordlysregnskap.no", "Oslo", "0150", "Karl Johans gate 14")],
    "dk": [("Aarhus Grafisk ApS", "aarhusgrafisk.dk", "Aarhus C", "8000", "Søndergade 40"),
           ("Køge Tømrer ApS", "kogetomrer.dk", "Køge", "4600", "Torvet 3")],
    "fi": [("Suomen Puutarhapalvelu Oy", "puutarhapalvelu.fi", "Tampere", "33100", "Hämeenkatu 9"),
           ("Satama Logistiikka Oy", "satamalogistiikka.fi", "Helsinki", "00100", "Mannerheimintie 12")],
    "de": [("Hafenkontor GmbH", "hafenkontor.de", "Hamburg", "20095", "Mönckebergstraße 7"),
           ("Spreewerk Software GmbH", "spreewerk.de", "Berlin", "10115", "Invalidenstraße 90")],
    "gb": [("Thames Valley Joinery Ltd", "tvjoinery.co.uk", "Reading", "RG1 1AF", "12 Friar Street"),
           ("Brightwater Consulting Ltd", "brightwater-consulting.co.uk", "Leeds", "LS1 4DY", "3 Park Row")],
    "us": [("Lakeshore Staffing LLC", "lakeshorestaffing.com", "Chicago", "60601", "200 E Randolph St")],
}

TITLES_EN = ["Office Manager", "CFO", "Payroll Specialist", "Operations Lead", "Project Manager",
             "Finance Assistant", "IT Coordinator", "Managing Director", "HR Business Partner", "Site Manager"]
TITLES_SV = ["Ekonomiansvarig", "Kontorschef", "Löneadministratör", "Projektledare", "VD",
             "Ekonomiassistent", "IT-samordnare", "Arbetsledare", "HR-specialist", "Driftchef"]
TEAMS = ["Team Väst", "Ekonomi", "Lager Nord", "Platform team", "Kundtjänst", "Team Syd", "Payroll",
         "Field Service", "Team Fakturering"]
AGENTS = [("Moa", "Ljungqvist"), ("Kalle", "Edholm"), ("Jessica", "Trane"), ("Patrik", "Orvar"),
          ("Yasmin", "Hadad"), ("Rikard", "Stenmark")]
OUTSIDERS = [("Bertil", "Almgren"), ("Gunilla", "Hjort"), ("Yusuf", "Demir"), ("Leila", "Nasser"),
             ("Ronja", "Vestin"), ("Edvin", "Kask"), ("Priya", "Raman"), ("Marek", "Nowak"),
             ("Helmer", "Dufva"), ("Signhild", "Roos"), ("Douglas", "Fairbairn"), ("Nadia", "Osman")]
PUBLIC_LINKS = ["https://help.tidvis.se/articles/export-sie-file", "https://status.tidvis.se",
                "https://tidvis.se/pricing", "https://docs.tidvis.se/api/v2/authentication",
                "https://help.tidvis.se/sv/artiklar/koppla-bankid", "https://tidvis.se/en/release-notes/2026-11",
                "https://www.skatteverket.se/foretag", "https://docs.tidvis.se/integrations/fortnox",
                "https://help.tidvis.se/en/articles/two-factor-authentication"]
PRODUCTS = ["Tidvis Lön", "Tidvis Fakturering", "Tidvis Mobile", "Tidvis Projekt", "Excel", "Outlook",
            "BankID", "Microsoft Teams", "Slack", "Google Sheets"]

# ---------------------------------------------------------------- generators of values

def rdig(rng, n):
    return "".join(rng.choice(string.digits) for _ in range(n))


def rtoken(rng, n, alphabet=string.ascii_letters + string.digits):
    return "".join(rng.choice(alphabet) for _ in range(n))


def ruuid(rng):
    h = "0123456789abcdef"
    p = [rtoken(rng, k, h) for k in (8, 4, 4, 4, 12)]
    p[2] = "4" + p[2][1:]
    return "-".join(p)


def phone_number(rng, country, kind=None):
    """Return (cc, area, rest_groups) — national significant number split for formatting."""
    if country == "se":
        kind = kind or rng.choice(["mob", "mob", "mob", "sth", "gbg", "mmo"])
        if kind == "mob":
            r = "17406" + "%02d" % rng.randint(5, 99)
            return ("46", "70", [r[:3], r[3:5], r[5:]])
        if kind == "sth":
            r = "465004" + "%02d" % rng.randint(0, 99)
            return ("46", "8", [r[:3], r[3:6], r[6:]])
        if kind == "gbg":
            r = "39006" + "%02d" % rng.randint(0, 99)
            return ("46", "31", [r[:3], r[3:5], r[5:]])
        r = "62804" + "%02d" % rng.randint(0, 99)
        return ("46", "40", [r[:3], r[3:5], r[5:]])
    if country == "gb":
        if rng.random() < 0.7:
            return ("44", "7700", ["900", "%03d" % rng.randint(0, 999)])
        return ("44", "20", ["7946", "0%03d" % rng.randint(0, 999)])
    if country == "us":
        return ("1", rng.choice(["212", "312", "415"]), ["555", "01%02d" % rng.randint(0, 99)])
    if country == "no":
        r = rng.choice("49") + rdig(rng, 7)
        return ("47", "", [r[:3], r[3:5], r[5:]])
    if country == "dk":
        r = rng.choice(["2", "3", "4", "5", "6"]) + rdig(rng, 7)
        return ("45", "", [r[0:2], r[2:4], r[4:6], r[6:]])
    if country == "fi":
        return ("358", rng.choice(["40", "50", "44"]), [rdig(rng, 3), rdig(rng, 4)])
    if country == "de":
        if rng.random() < 0.5:
            return ("49", "30", ["23125", "%03d" % rng.randint(0, 999)])
        return ("49", rng.choice(["151", "160", "170"]), [rdig(rng, 4), rdig(rng, 4)])
    raise ValueError(country)


def phone_formats(p):
    cc, a, g = p
    rest = "".join(g)
    sp = " ".join(g)
    if cc in ("47", "45"):  # no trunk prefix, closed numbering plans
        return [sp, rest, "+%s %s" % (cc, sp), "+%s%s" % (cc, rest), "00%s %s" % (cc, rest),
                "(+%s) %s" % (cc, sp), "+%s-%s" % (cc, "-".join(g)), ".".join(g)]
    if cc == "1":
        return ["(%s) %s-%s" % (a, g[0], g[1]), "%s-%s-%s" % (a, g[0], g[1]), "%s.%s.%s" % (a, g[0], g[1]),
                "+1 %s %s %s" % (a, g[0], g[1]), "+1 (%s) %s-%s" % (a, g[0], g[1]), "1-%s-%s-%s" % (a, g[0], g[1])]
    return ["0%s-%s" % (a, sp), "0%s %s" % (a, sp), "0%s%s" % (a, rest), "+%s %s %s" % (cc, a, sp),
            "+%s%s%s" % (cc, a, rest), "00%s %s %s" % (cc, a, sp), "+%s (0)%s %s" % (cc, a, sp),
            "0%s-%s" % (a, rest), "(0%s) %s" % (a, sp), "0%s.%s" % (a, ".".join(g)),
            "+%s-%s-%s" % (cc, a, "-".join(g))]


def card_number(rng, scheme=None):
    scheme = scheme or rng.choice(["visa", "visa", "mc", "mc2", "amex"])
    if scheme == "visa":
        body = "4" + rdig(rng, 14)
    elif scheme == "mc":
        body = "5" + rng.choice("12345") + rdig(rng, 13)
    elif scheme == "mc2":
        body = "22" + rng.choice(["21", "50", "71"]) + rdig(rng, 11)
    else:
        body = "3" + rng.choice("47") + rdig(rng, 12)
    n = body + luhn_digit(body)
    if len(n) == 15:
        fmts = [n, "%s %s %s" % (n[:4], n[4:10], n[10:]), "%s-%s-%s" % (n[:4], n[4:10], n[10:])]
    else:
        grp = [n[i:i + 4] for i in range(0, 16, 4)]
        fmts = [n, " ".join(grp), "-".join(grp), " ".join(grp)]
    return rng.choice(fmts)


def bad_card(rng):
    body = "4" + rdig(rng, 14)
    good = luhn_digit(body)
    bad = str((int(good) + rng.randint(1, 9)) % 10)
    n = body + bad
    assert not luhn_ok(n)
    return " ".join(n[i:i + 4] for i in range(0, 16, 4))


def iban_raw(rng, cc=None):
    cc = cc or rng.choice(["SE", "SE", "SE", "NO", "DK", "DE", "GB", "FI"])
    while True:
        if cc == "SE":
            bban = rng.choice(["500", "800", "600", "300", "120", "930"]) + rdig(rng, 17)
        elif cc == "NO":
            f = rdig(rng, 10)
            c = no_mod11(f)
            if c is None:
                continue
            bban = f + c
        elif cc == "DK":
            bban = rdig(rng, 14)
        elif cc == "DE":
            bban = rng.choice(["10070000", "20050550", "37040044", "50010517"]) + rdig(rng, 10)
        elif cc == "GB":
            bban = rng.choice(["NWBK", "BARC", "MIDL", "LOYD"]) + rdig(rng, 14)
        elif cc == "FI":
            p = rdig(rng, 13)
            bban = p + luhn_digit(p)
        return cc + iban_checkdigits(cc, bban) + bban


def fmt_iban(rng, raw, style=None):
    style = style or rng.choice(["space", "space", "space", "compact", "lower", "lowerspace"])
    sp = " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))
    return {"space": sp, "compact": raw, "lower": raw.lower(), "lowerspace": sp.lower()}[style]


def bad_iban(rng):
    raw = iban_raw(rng, "SE")
    cd = int(raw[2:4])
    raw = raw[:2] + "%02d" % ((cd + rng.randint(1, 50)) % 97 + 2 if cd < 90 else cd - 7) + raw[4:]
    if iban_ok(raw):
        raw = raw[:-1] + str((int(raw[-1]) + 1) % 10)
    assert not iban_ok(raw)
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def personnummer(rng, coord=False, century=False, sep=None):
    y = rng.randint(1945, 2004)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28) + (60 if coord else 0)
    nnn = "%03d" % rng.randint(2, 999)
    core = "%02d%02d%02d%s" % (y % 100, m, d, nnn)
    n = core + luhn_digit(core)
    if sep is None:
        sep = rng.choice(["-", "-", "-", ""])
    if century:
        return "%d%s%s%s" % (y // 100, n[:6], sep, n[6:])
    return n[:6] + sep + n[6:]


def old_personnummer(rng):
    y = rng.randint(1915, 1924)
    core = "%02d%02d%02d%03d" % (y % 100, rng.randint(1, 12), rng.randint(1, 28), rng.randint(2, 999))
    n = core + luhn_digit(core)
    return n[:6] + "+" + n[6:]


def bad_personnummer(rng):
    core = "%02d%02d%02d%03d" % (rng.randint(50, 99), rng.randint(1, 12), rng.randint(1, 28), rng.randint(2, 999))
    good = luhn_digit(core)
    return core[:6] + "-" + core[6:] + str((int(good) + rng.randint(1, 9)) % 10)


def orgnr(rng, sep="-"):
    core = rng.choice(["556", "559", "802", "716", "969"]) + rdig(rng, 6)
    n = core + luhn_digit(core)
    return n[:6] + sep + n[6:]


def ocr_ref(rng):
    core = rng.choice("123456789") + rdig(rng, rng.randint(8, 12))
    return core + luhn_digit(core)

# ---------------------------------------------------------------- people / context

class Person:
    def __init__(self, first, last, country):
        self.first, self.last, self.country = first, last, country

    @property
    def full(self):
        return "%s %s" % (self.first, self.last)


def ascii_fold(s):
    tr = str.maketrans({"å": "a", "ä": "a", "ö": "o", "ø": "o", "æ": "ae", "ü": "u", "é": "e",
                        "Å": "A", "Ä": "A", "Ö": "O", "Ø": "O", "Æ": "AE", "Ü": "U"})
    return s.translate(tr)


class Ctx:
    def __init__(self, rng, lang, idx):
        self.rng, self.lang, self.idx = rng, lang, idx
        if lang == "sv":
            country = "se" if rng.random() < 0.92 else "fi"
        elif lang == "mixed":
            country = rng.choice(["se", "se", "se", "no", "dk", "fi"])
        else:
            country = rng.choice(["se", "se", "se", "no", "dk", "fi", "de", "gb", "gb", "us"])
        self.country = country
        used = set()

        def person(cc):
            for k in range(200):
                fi, la = NAMES[cc if k < 30 else "se"]
                p = Person(rng.choice(fi), rng.choice(la), cc)
                if p.first not in used and p.last not in used:
                    used.update([p.first, p.last])
                    return p
            raise AssertionError
        self.rep = person(country)
        comp = rng.choice(COMPANIES[country])
        self.company, self.domain, self.city, self.postal, self.street = comp
        mcc = [country] * 4 + ["se"]
        self.members = [person(rng.choice(mcc)) for _ in range(rng.randint(1, 5))]
        outs = [o for o in OUTSIDERS if o[0] not in used and o[1] not in used]
        self.outsider = Person(*rng.choice(outs), "se")
        ags = [a for a in AGENTS if a[0] not in used and a[1] not in used]
        self.agent = Person(*rng.choice(ags), "se")
        f, l = ascii_fold(self.rep.first).lower(), ascii_fold(self.rep.last).lower()
        self.rep_email = rng.choice(["%s.%s@%s" % (f, l, self.domain), "%s@%s" % (f, self.domain),
                                     "%s%s@%s" % (f[0], l, self.domain), "%s.%s@%s" % (f, l[0], self.domain)])
        self.username = rng.choice(["%s%s" % (f[0], l), "%s.%s" % (f, l), "%s_%s%d" % (f, l[:3], rng.randint(1, 99)),
                                    "%s%s" % (f, l[:2])])
        self.phone = phone_number(rng, country, "mob" if country == "se" else None)
        fm = phone_formats(self.phone)
        self.profile_phone = rng.choice(fm[:5])
        self.text_phones = [x for x in fm if x != self.profile_phone]
        self.title = rng.choice(TITLES_SV if lang == "sv" or (country == "se" and rng.random() < .5) else TITLES_EN)
        self.mention_members = []

    def L(self, en, sv):
        if self.lang == "en":
            return en
        if self.lang == "sv":
            return sv
        return self.rng.choice([en, sv])

    def member(self):
        m = self.rng.choice(self.members)
        return m

    def member_email(self, m):
        return "%s.%s@%s" % (ascii_fold(m.first).lower(), ascii_fold(m.last).lower(), self.domain)

    def rep_phone_text(self, allow_break=False):
        p = self.rng.choice(self.text_phones)
        if allow_break and " " in p and self.rng.random() < 0.25:
            i = [k for k, ch in enumerate(p) if ch == " "]
            k = self.rng.choice(i)
            p = p[:k] + "\n" + p[k + 1:]
        return p

    def other_phone(self, country=None):
        return self.rng.choice(phone_formats(phone_number(self.rng, country or self.country)))

# ---------------------------------------------------------------- shared pieces

def rep_name(b, c, form=None):
    r = c.rep
    form = form or c.rng.choice(["full", "full", "first", "caps", "rev", "split", "last"])
    if form == "full":
        b.s(r.full, "reporter")
    elif form == "first":
        b.s(r.first, "reporter")
    elif form == "last":
        b.s(r.last, "reporter")
    elif form == "caps":
        b.s(r.full.upper(), "reporter")
    elif form == "rev":
        b.s("%s, %s" % (r.last, r.first), "reporter")
    elif form == "split":
        b.s("%s\n%s" % (r.first, r.last), "reporter")
    elif form == "lower":
        b.s(r.first.lower(), "reporter")


def date_str(c, fmt=None):
    rng = c.rng
    y, m, d = 2026, rng.randint(1, 11), rng.randint(1, 28)
    fmt = fmt or rng.choice(["iso", "iso", "se", "en", "dots"])
    mon_en = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][m - 1]
    mon_sv = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
              "oktober", "november", "december"][m - 1]
    return {"iso": "%d-%02d-%02d" % (y, m, d), "se": "%d %s %d" % (d, mon_sv, y),
            "en": "%d %s %d" % (d, mon_en, y), "dots": "%02d.%02d.%d" % (d, m, y)}[fmt]


def time_str(c, sec=False):
    h, m, s = c.rng.randint(6, 22), c.rng.randint(0, 59), c.rng.randint(0, 59)
    return "%02d:%02d:%02d" % (h, m, s) if sec else "%02d:%02d" % (h, m)


def amount(c):
    v = c.rng.randint(120, 98000)
    return c.rng.choice(["%d kr" % v, "%s SEK" % "{:,}".format(v).replace(",", " "), "%d,%02d kr" % (v, c.rng.randint(0, 99)),
                         "€%d.%02d" % (v // 10, c.rng.randint(0, 99)), "£%d.00" % (v // 12), "NOK %d" % v])


def ticket(c):
    return c.rng.choice(["#%d" % c.rng.randint(40000, 99999), "TV-%d" % c.rng.randint(10000, 99999),
                         "CS-%d-%d" % (2026, c.rng.randint(1000, 9999))])


def version(c):
    return "%d.%d.%d" % (c.rng.randint(1, 9), c.rng.randint(0, 30), c.rng.randint(0, 20))


def signature(b, c, kind=None):
    rng = c.rng
    kind = kind or rng.choice(["full", "full", "short", "caps", "mobile", "minimal"])
    if kind == "full":
        b.t("\n\n" + c.L("Kind regards", "Med vänliga hälsningar") + "\n")
        rep_name(b, c, rng.choice(["full", "full", "split"]))
        b.t("\n").d(c.title, "job_title").t(" | ").d(c.company, "company").t("\n")
        b.t(rng.choice(["Tel: ", "Mob: ", "M: ", "Mobil: ", "Phone "])).s(c.rep_phone_text(True), "reporter").t("\n")
        b.s(c.rep_email, "reporter").t("\n")
        b.t(c.street + ", ").d(c.postal, "postal_code").t(" ").d(c.city, "city")
        if c.country == "se" and rng.random() < 0.7:
            b.t("\nOrg.nr ").d(orgnr(rng), "org_number")
    elif kind == "short":
        b.t("\n\n" + rng.choice(["Br,", "Thanks,", "Mvh", "/", "Hälsningar", "Cheers"]) + "\n")
        rep_name(b, c, "first")
        b.t("\n\n")
        rep_name(b, c, "full")
        b.t(" · ").d(c.company, "company").t("\n").s(c.rep_phone_text(), "reporter")
    elif kind == "caps":
        b.t("\n\n--\n")
        rep_name(b, c, "caps")
        b.t("\n").d(c.title.upper(), "job_title").t("\n").d(c.company, "company").t("\nDirect: ")
        b.s(c.rep_phone_text(), "reporter").t(" | ").s(c.rep_email.upper() if rng.random() < .3 else c.rep_email, "reporter")
    elif kind == "mobile":
        b.t("\n\n/")
        rep_name(b, c, rng.choice(["first", "lower"]))
        b.t("\n\n" + rng.choice(["Skickat från min iPhone", "Sent from my iPhone", "Skickat från Outlook för Android",
                                 "Sendt fra min iPhone", "Von meinem iPhone gesendet"]))
    else:
        b.t("\n\n-- \n")
        rep_name(b, c, "rev" if rng.random() < .4 else "full")
        b.t(", ").d(c.company, "company")


DISCLAIMERS = [
    "This e-mail and any attachments are confidential and intended solely for the addressee. If you have received it in error please notify the sender and delete it.",
    "Detta e-postmeddelande kan innehålla konfidentiell information och är endast avsett för mottagaren. Har du fått det av misstag, meddela avsändaren och radera det.",
    "Denne e-posten kan inneholde konfidensiell informasjon. Hvis du har mottatt den ved en feil, vennligst slett den.",
    "Please consider the environment before printing this e-mail.",
]

# ---------------------------------------------------------------- templates

def t_plain(b, c):
    rng = c.rng
    b.t(rng.choice([c.L("Hi,", "Hej,"), c.L("Hello support", "Hej support!"), c.L("Hi there", "Hejsan"), ""]))
    b.t("\n\n")
    issue = rng.choice([
        (c.L("I can't log in since the update to ", "Jag kan inte logga in sedan uppdateringen till "), True),
        (c.L("The export to Excel stopped working in ", "Exporten till Excel slutade fungera i "), True),
        (c.L("Our invoices come out with the wrong VAT after ", "Fakturorna får fel moms efter "), True),
    ])
    b.t(issue[0]).d("version " + version(c), "version").t(". ")
    m = c.member()
    b.t(c.L("My colleague ", "Min kollega ")).s(m.full, "name").t(c.L(" has the same problem", " har samma problem"))
    b.t(c.L(" and ", " och ")).d(rng.choice(c.members).first if False else c.outsider.full, "non_member_name")
    b.t(c.L(" (our accountant, not a user) saw it on her screen too.", " (vår revisor, inte användare) såg det också."))
    b.t(c.L(" Ticket ", " Ärende ")).d(ticket(c), "ticket_number").t(c.L(" was closed without a fix on ", " stängdes utan lösning den "))
    b.t("").d(date_str(c), "date").t(".\n")
    b.t(c.L("You can reach me on ", "Nå mig på ")).s(c.rep_phone_text(), "reporter")
    b.t(c.L(" or via ", " eller ")).s(m.first, "name").t(c.L(" if I'm out.", " om jag inte svarar."))
    b.t("\n" + c.L("I read ", "Jag har läst ")).d(rng.choice(PUBLIC_LINKS), "public_link").t(c.L(" but it didn't help.", " men det hjälpte inte."))
    signature(b, c)
    return "plain email"


def t_mobile(b, c):
    rng = c.rng
    m = c.member()
    b.t(c.L("hi cant get the app to sync since yesterday ", "hej appen synkar inte sen igår "))
    b.s(m.first, "name").t(c.L(" says same on her phone ", " säger samma på sin telefon "))
    b.t(c.L("pls call me ", "ring mig "))
    b.s(c.rep_phone_text(), "reporter").t(" " + c.L("asap its urgent we have payroll ", "snabbt vi har lön "))
    b.d(rng.choice(["on the 25th", "den 25e", "fredag", "friday"]), "date").t(" ")
    b.d(PRODUCTS[2] + " " + version(c), "product").t(" " + c.L("on andriod", "på andriod"))
    if rng.random() < .5:
        b.t(c.L(" my login is ", " mitt användarnamn är ")).s(c.username, "reporter")
    signature(b, c, "mobile")
    return "mobile email"


def t_thread(b, c):
    rng = c.rng
    m1 = c.member()
    b.t(c.L("Hi, forwarding this as discussed. See below.\n", "Hej, vidarebefordrar enligt överenskommelse, se nedan.\n"))
    if rng.random() < .5:
        b.s(m1.first, "name").t(c.L(" asked me to send it to you directly.\n", " bad mig skicka det direkt till er.\n"))
    signature(b, c, rng.choice(["short", "minimal"]))
    b.t("\n\n---------- " + c.L("Forwarded message", "Vidarebefordrat meddelande") + " ---------\n")
    b.t(c.L("From: ", "Från: ")).s(m1.full, "name").t(" <").s(c.member_email(m1), "email").t(">\n")
    b.t(c.L("Date: ", "Datum: ")).d(date_str(c), "date").t(" ").d(time_str(c), "time").t("\n")
    b.t(c.L("Subject: ", "Ämne: ") + "Re: " + c.L("Invoice ", "Faktura ")).d("%d" % rng.randint(10000, 99999), "invoice_number").t("\n")
    b.t(c.L("To: ", "Till: ")).s(c.rep_email, "reporter").t("\n")
    b.t("Cc: ").s("support@tidvis.se", "email").t("\n\n")
    b.t(c.L("Can you check this one? The customer paid ", "Kan du kolla denna? Kunden betalade "))
    b.d(amount(c), "amount").t(c.L(" but it shows as unpaid. Their IBAN is ", " men den står som obetald. Deras IBAN är "))
    b.s(fmt_iban(rng, iban_raw(rng)), "iban").t(".\n")
    b.t(c.L("Thanks /", "Tack /")).s(m1.first, "name").t("\n\n")
    b.t(c.L("On ", "Den ")).d(date_str(c), "date").t(c.L(" at ", " kl. ")).d(time_str(c), "time").t(" ")
    b.d(c.outsider.full, "non_member_name").t(" <").s(ascii_fold(c.outsider.first).lower() + "@kundbolaget.se", "email").t(c.L("> wrote:\n", "> skrev:\n"))
    b.t("> " + c.L("Hello, we paid the invoice ", "Hej, vi betalade fakturan ")).d(date_str(c), "date").t(".\n")
    b.t("> " + c.L("Reference ", "Referens ")).d(ocr_ref(rng), "reference_number").t(c.L(". Call me on ", ". Ring mig på ")).s(c.other_phone("se"), "phone").t("\n")
    b.t(">\n> " + c.L("Regards", "Hälsningar") + "\n> ").d(c.outsider.full, "non_member_name").t("\n> ")
    b.d(rng.choice(["Kundbolaget AB", "Vasa Entreprenad AB", "Ljusdal Trä AB"]), "company").t(" | Org.nr ").d(orgnr(rng), "org_number")
    b.t("\n>\n>> " + c.L("Original invoice sent by ", "Ursprunglig faktura skickad av ")).s(c.rep.first, "reporter").t(" ")
    b.d(date_str(c), "date").t("\n>> " + rng.choice(DISCLAIMERS))
    b.t("\n\n" + rng.choice(DISCLAIMERS))
    return "forwarded thread"


def t_invoice(b, c):
    rng = c.rng
    b.t(c.L("Pasting the invoice text below, the PDF won't attach:\n\n", "Klistrar in fakturan nedan, pdf:en går inte att bifoga:\n\n"))
    b.t(c.L("INVOICE", "FAKTURA") + "  ").d(str(rng.randint(20260001, 20269999)), "invoice_number").t("\n")
    b.d(c.company, "company").t("\n" + c.street + "\n").d(c.postal, "postal_code").t(" ").d(c.city, "city").t("\n")
    if c.country == "se":
        b.t("Org.nr: ").d(orgnr(rng), "org_number").t("   Momsreg.nr: SE").d(orgnr(rng, "") + "01", "vat_number").t("\n")
    b.t(c.L("Invoice date: ", "Fakturadatum: ")).d(date_str(c, "iso"), "date").t("\n")
    b.t(c.L("Due date: ", "Förfallodatum: ")).d(date_str(c, "iso"), "date").t("\n")
    b.t(c.L("Our reference: ", "Vår referens: ")).s(c.rep.full, "reporter").t("\n")
    m = c.member()
    b.t(c.L("Your reference: ", "Er referens: ")).s(m.full, "name").t("\n\n")
    for _ in range(rng.randint(2, 4)):
        b.t(rng.choice(["Konsulttimmar", "Licens Tidvis Pro", "Support hours", "Resekostnad", "Material"]) + "   ")
        b.d("%d" % rng.randint(1, 40), "quantity").t(" x ").d(amount(c), "amount").t("\n")
    b.t(c.L("Total incl. VAT: ", "Att betala: ")).d(amount(c), "amount").t("\n\n")
    b.t("Bankgiro: ").d("%d-%d" % (rng.randint(100, 9999), rng.randint(1000, 9999)), "bankgiro").t("\n")
    b.t("OCR: ").d(ocr_ref(rng), "reference_number").t("\n")
    raw = iban_raw(rng, "SE" if c.country == "se" else c.country.upper() if c.country.upper() in ("NO", "DK", "DE", "GB", "FI") else "SE")
    b.t("IBAN: ").s(fmt_iban(rng, raw), "iban").t("  BIC: " + rng.choice(["ESSESESS", "HANDSESS", "SWEDSESS", "NDEASESS"]) + "\n")
    if rng.random() < .4:
        b.t(c.L("Old account (closed, do not use): ", "Gammalt konto (avslutat): ")).d(bad_iban(rng), "invalid_checksum").t("\n")
    b.t(c.L("Questions: ", "Frågor: ")).s(c.rep_email, "reporter").t(" / ").s(c.rep_phone_text(), "reporter").t("\n")
    b.t("\n" + c.L("Why does it show twice in the ledger?", "Varför syns den två gånger i reskontran?"))
    return "invoice paste"


def t_vcard(b, c):
    rng = c.rng
    b.t(c.L("Exported our contacts from the phone, the import into ", "Exporterade kontakterna från telefonen, importen till "))
    b.d(PRODUCTS[rng.choice([0, 1, 3])], "product").t(c.L(" fails on these:\n\n", " misslyckas på dessa:\n\n"))
    people = [(c.rep, True)] + [(m, False) for m in c.members[:3]]
    rng.shuffle(people)
    for p, is_rep in people:
        k = "reporter" if is_rep else "name"
        b.t("BEGIN:VCARD\nVERSION:3.0\nN:").s(p.last, k).t(";").s(p.first, k).t(";;;\nFN:").s(p.full, k).t("\n")
        b.t("ORG:").d(c.company, "company").t("\n")
        b.t("TEL;TYPE=CELL:")
        if is_rep:
            b.s(c.rep_phone_text(), "reporter")
        else:
            b.s(c.other_phone(), "phone")
        b.t("\n")
        if rng.random() < .5:
            b.t("TEL;TYPE=WORK,VOICE:").s(c.other_phone(), "phone").t("\n")
        b.t("EMAIL;TYPE=INTERNET:")
        if is_rep:
            b.s(c.rep_email, "reporter")
        else:
            b.s(c.member_email(p), "email")
        b.t("\nREV:").d("2026%02d%02dT%02d%02d%02dZ" % (rng.randint(1, 11), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)), "timestamp")
        b.t("\nEND:VCARD\n")
    b.t("\n" + c.L("Error says 'invalid TEL'. Version ", "Felet säger 'invalid TEL'. Version ")).d(version(c), "version")
    signature(b, c, rng.choice(["short", "minimal", "mobile"]))
    return "vcard export"


def secret_url(c, kind=None):
    rng = c.rng
    kind = kind or rng.choice(["reset", "magic", "invite", "verify", "unsub", "signed", "uuid", "session"])
    tok = rtoken(rng, rng.choice([32, 40, 43]), string.ascii_letters + string.digits + "-_")
    return kind, {
        "reset": "https://app.tidvis.se/reset-password?token=%s" % tok,
        "magic": "https://app.tidvis.se/auth/magic/%s" % tok,
        "invite": "https://app.tidvis.se/invite/%s?org=%d" % (tok, rng.randint(1000, 9999)),
        "verify": "https://app.tidvis.se/verify-email/%s/%s" % (rtoken(rng, 6, string.digits), tok[:20]),
        "unsub": "https://mail.tidvis.se/u/%s" % tok,
        "signed": "https://files.tidvis.se/exports/%s/lonespec.pdf?X-Amz-Expires=3600&X-Amz-Signature=%s" % (ruuid(rng), rtoken(rng, 64, "0123456789abcdef")),
        "uuid": "https://app.tidvis.se/shared/report/%s" % ruuid(rng),
        "session": "https://app.tidvis.se/dashboard;jsessionid=%s" % rtoken(rng, 32, "0123456789ABCDEF"),
    }[kind]


def t_notification(b, c):
    rng = c.rng
    kind = rng.choice(["reset", "magic", "invite", "verify", "unsub"])
    _, url = secret_url(c, kind)
    b.t(c.L("Got this mail but I never asked for it?? Is it phishing?\n", "Fick det här mejlet men har inte bett om det?? Är det nätfiske?\n"))
    if rng.random() < .5:
        b.t(c.L("Also ", "Även ")).s(c.member().first, "name").t(c.L(" got one.\n", " fick ett.\n"))
    signature(b, c, rng.choice(["mobile", "short", "minimal"]))
    b.t("\n\n-------- " + c.L("Original message", "Originalmeddelande") + " --------\n")
    b.t(c.L("From: ", "Från: ") + "Tidvis <").s("no-reply@tidvis.se", "email").t(">\n")
    b.t(c.L("Sent: ", "Skickat: ")).d(date_str(c), "date").t(" ").d(time_str(c), "time").t("\n")
    b.t(c.L("To: ", "Till: ")).s(c.rep_email, "reporter").t("\n")
    subj = {"reset": c.L("Reset your password", "Återställ ditt lösenord"), "magic": c.L("Your sign-in link", "Din inloggningslänk"),
            "invite": c.L("You have been invited", "Du har blivit inbjuden"), "verify": c.L("Verify your email address", "Bekräfta din e-postadress"),
            "unsub": c.L("Your weekly summary", "Din veckosammanfattning")}[kind]
    b.t(c.L("Subject: ", "Ämne: ") + subj + "\n\n")
    b.t(c.L("Hi ", "Hej ")).s(c.rep.first, "reporter").t(",\n\n")
    if kind == "invite":
        m = c.member()
        b.s(m.full, "name").t(c.L(" has invited you to join ", " har bjudit in dig till ")).d(c.company, "company").t(c.L(" on Tidvis.\n", " på Tidvis.\n"))
    elif kind == "reset":
        b.t(c.L("We received a request to reset the password for ", "Vi har fått en begäran om att återställa lösenordet för ")).s(c.username, "reporter").t(".\n")
    elif kind == "unsub":
        b.t(c.L("Last week your team logged ", "Förra veckan loggade ditt team ")).d("%d,%d" % (rng.randint(40, 900), rng.randint(0, 9)), "quantity").t(c.L(" hours.\n", " timmar.\n"))
    else:
        b.t(c.L("Use the link below to continue.\n", "Använd länken nedan för att fortsätta.\n"))
    b.t("\n")
    if kind == "unsub":
        b.t(c.L("Help centre: ", "Hjälpcenter: ")).d(rng.choice(PUBLIC_LINKS[:2]), "public_link").t("\n\n")
        b.t(c.L("Don't want these mails? Unsubscribe: ", "Vill du inte få dessa mejl? Avregistrera dig: ")).s(url, "url").t("\n")
    else:
        b.s(url, "url").t("\n\n" + c.L("The link expires in ", "Länken går ut om ")).d(rng.choice(["30 minutes", "24 timmar", "1 hour", "7 dagar"]), "duration").t(".\n")
        b.t(c.L("If you didn't request this, you can ignore this email. Request came from IP ", "Om du inte begärt detta kan du ignorera mejlet. Begäran kom från IP "))
        b.s(rand_ip(rng), "ip").t(".\n")
    b.t("\n").d("Tidvis AB", "company").t(", Box 1234, ").d("111 22", "postal_code").t(" ").d("Stockholm", "city")
    return "forwarded notification"


def rand_ip(rng, v6=None):
    if v6 or (v6 is None and rng.random() < .2):
        return "2001:db8:%x:%x::%x" % (rng.randint(1, 0xffff), rng.randint(1, 0xffff), rng.randint(1, 0xfff))
    a = rng.choice(["81.232", "194.17", "213.115", "85.228", "10.0", "192.168", "203.0", "198.51"])
    return "%s.%d.%d" % (a, rng.randint(0, 254), rng.randint(1, 254))


def t_http(b, c):
    rng = c.rng
    _, url = secret_url(c, rng.choice(["reset", "invite", "verify", "magic", "signed"]))
    b.t(c.L("Our proxy logged this when the link failed (502):\n\n", "Vår proxy loggade detta när länken failade (502):\n\n"))
    b.t("GET /api/v2/timesheets?week=%d&page=%d HTTP/1.1\n" % (rng.randint(1, 52), rng.randint(1, 9)))
    b.t("Host: app.tidvis.se\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/").d("%d.0.%d.%d" % (rng.randint(110, 131), rng.randint(1000, 6999), rng.randint(10, 200)), "version").t("\n")
    b.t("Referer: ").s(url, "url").t("\n")
    b.t("X-Forwarded-For: ").s(rand_ip(rng, False), "ip").t(", ").s(rand_ip(rng), "ip").t("\n")
    b.t("X-Request-Id: ").d(ruuid(rng), "request_id").t("\n")
    b.t("X-Tidvis-User: ").s(c.username, "reporter").t("\n\n")
    b.t("HTTP/1.1 502 Bad Gateway\nDate: ").d("%s, %02d Nov 2026 %s GMT" % (rng.choice(["Mon", "Tue", "Wed"]), rng.randint(1, 28), time_str(c, True)), "date").t("\n")
    b.t("Content-Length: 0\n\n")
    b.t(c.L("Status page (", "Statussidan (")).d(PUBLIC_LINKS[1], "public_link").t(c.L(") says all green.", ") säger att allt är grönt."))
    signature(b, c, rng.choice(["full", "caps", "short"]))
    return "http request dump"


def t_trace(b, c):
    rng = c.rng
    _, url = secret_url(c, rng.choice(["reset", "verify", "session", "uuid"]))
    m = c.member()
    b.t(c.L("Our integration crashes, traceback:\n\n", "Vår integration kraschar, traceback:\n\n"))
    b.t("Traceback (most recent call last):\n  File \"/srv/sync/tidvis_sync.py\", line %d, in push_employee\n" % rng.randint(40, 400))
    b.t("    resp = session.post(url, json=payload, timeout=30)\n")
    b.t("  File \"/usr/lib/python3/site-packages/requests/sessions.py\", line %d, in post\n" % rng.randint(500, 700))
    b.t("requests.exceptions.HTTPError: 422 Client Error: Unprocessable Entity for url: ").s(url, "url").t("\n")
    b.t("payload = {'employee': '").s(m.full, "name").t("', 'email': '").s(c.member_email(m), "email").t("', ")
    if rng.random() < .6:
        b.t("'personnummer': '").s(personnummer(rng, coord=rng.random() < .3, century=rng.random() < .5), "personnummer").t("', ")
    b.t("'employer_org': '").d(orgnr(rng), "org_number").t("', 'phone': '").s(c.other_phone(), "phone").t("'}\n")
    b.t("remote_addr=").s(rand_ip(rng), "ip").t(" build=").d(version(c), "version").t(" at ").d("2026-%02d-%02dT%s.%03dZ" % (rng.randint(1, 11), rng.randint(1, 28), time_str(c, True), rng.randint(0, 999)), "timestamp").t("\n\n")
    b.t(c.L("Docs: ", "Dokumentation: ")).d(rng.choice(PUBLIC_LINKS[3:8]), "public_link").t("\n")
    b.t(c.L("Run as ", "Körs som ")).s(c.username, "reporter").t(".")
    signature(b, c, rng.choice(["full", "short", "minimal"]))
    return "log excerpt"


def t_csv(b, c, long=False):
    rng = c.rng
    sv = c.lang != "en"
    hdr = "namn;e-post;mobil;personnummer;postnr;ort;avdelning" if sv else "name;email;mobile;personal_id;postcode;city;team"
    b.t(c.L("Import fails on some rows, file attached as text:\n\n", "Importen failar på några rader, klistrar in filen:\n\n") + hdr + "\n")
    rows = list(c.members) + [c.rep]
    rng.shuffle(rows)
    extra = rng.randint(25, 45) if long else 0
    cities = [("Stockholm", "114 35"), ("Göteborg", "411 06"), ("Malmö", "211 20"), ("Umeå", "903 25"), ("Luleå", "972 31")]
    for p in rows:
        is_rep = p is c.rep
        k = "reporter" if is_rep else "name"
        b.s(p.full if rng.random() < .7 else "%s, %s" % (p.last, p.first), k).t(";")
        b.s(c.rep_email if is_rep else c.member_email(p), "reporter" if is_rep else "email").t(";")
        b.s(c.rep_phone_text() if is_rep else c.other_phone("se"), "reporter" if is_rep else "phone").t(";")
        r = rng.random()
        if r < .15:
            b.d(bad_personnummer(rng), "invalid_checksum")
        elif r < .2:
            b.s(old_personnummer(rng), "personnummer")
        else:
            b.s(personnummer(rng, coord=rng.random() < .2, century=rng.random() < .5), "personnummer")
        city, pc = rng.choice(cities)
        b.t(";").d(pc, "postal_code").t(";").d(city, "city").t(";").d(rng.choice(TEAMS), "team").t("\n")
    used = {c.rep.first, c.rep.last} | {x.first for x in c.members} | {x.last for x in c.members}
    for i in range(extra):
        if rng.random() < .25:
            b.t(";;;").d("RAD-%04d" % (i + 1), "row_id").t(";;;").d(rng.choice(TEAMS), "team").t("\n")
            continue
        while True:
            fn, ln = rng.choice(NAMES["se"][0]), rng.choice(NAMES["se"][1])
            if fn not in used and ln not in used:
                break
        b.d("%s %s" % (fn, ln), "non_member_name").t(";")
        b.s("%s.%s@%s" % (ascii_fold(fn).lower(), ascii_fold(ln).lower(), c.domain), "email").t(";")
        b.s(c.other_phone("se"), "phone").t(";")
        if rng.random() < .15:
            b.d(bad_personnummer(rng), "invalid_checksum")
        else:
            b.s(personnummer(rng, coord=rng.random() < .2, century=rng.random() < .5), "personnummer")
        city, pc = rng.choice(cities)
        b.t(";").d(pc, "postal_code").t(";").d(city, "city").t(";").d(rng.choice(TEAMS), "team").t("\n")
    b.t("\n" + c.L("Employer org no is ", "Arbetsgivarens orgnr är ")).d(orgnr(rng), "org_number").t(c.L(", in case it matters.", ", om det spelar roll."))
    signature(b, c, rng.choice(["short", "minimal", "full"]))
    return "csv paste"


def t_chat(b, c):
    rng = c.rng
    b.t(c.L("Exported from our Teams channel, see the thing with the link:\n\n", "Exporterat från vår Teams-kanal, se grejen med länken:\n\n"))
    day = date_str(c, "iso")
    people = [c.rep] + c.members[:3]
    lines = []
    n = rng.randint(5, 9)
    for i in range(n):
        p = rng.choice(people)
        is_rep = p is c.rep
        b.t("[").d(day, "date").t(" ").d(time_str(c), "time").t("] ")
        b.s(p.full, "reporter" if is_rep else "name").t(": ")
        r = rng.random()
        others = [q for q in c.members if q is not p]
        if r < .2 and others:
            q = rng.choice(others)
            b.t("@").s(q.first, "name").t(c.L(" can you check the payroll run?", " kan du kolla lönekörningen?"))
        elif r < .35:
            _, url = secret_url(c, rng.choice(["magic", "invite", "uuid", "signed"]))
            b.t(c.L("here's the link ", "här är länken ")).s(url, "url")
        elif r < .45:
            b.t(c.L("call me ", "ring mig ")).s(c.rep_phone_text() if is_rep else c.other_phone(), "reporter" if is_rep else "phone")
        elif r < .55:
            b.t(c.L("the public guide is ", "guiden finns här ")).d(rng.choice(PUBLIC_LINKS), "public_link")
        elif r < .65 and not is_rep:
            b.t("@").s(c.username, "reporter").t(c.L(" did you open a case with support?", " har du öppnat ärende hos supporten?"))
        elif r < .75:
            b.t(c.L("case ", "ärende ")).d(ticket(c), "case_number").t(c.L(" is still open", " är fortfarande öppet"))
        elif r < .85:
            b.t(c.L("salary to ", "lönen till ")).s(fmt_iban(rng, iban_raw(rng), rng.choice(["lower", "compact"])), "iban").t(c.L(" bounced", " studsade"))
        else:
            b.t(rng.choice([c.L("ok thanks", "ok tack"), "👍", c.L("on it", "kollar"), c.L("no idea tbh", "ingen aning")]))
        b.t("\n")
    b.t("\n" + c.L("Who at ", "Vem på ")).d("Tidvis", "company").t(c.L(" can look at this?", " kan titta på detta?"))
    signature(b, c, rng.choice(["short", "minimal"]))
    return "chat transcript"


def t_bank(b, c):
    rng = c.rng
    raw = iban_raw(rng, rng.choice(["SE", "SE", "NO", "DK", "DE", "GB", "FI"]))
    style = rng.choice(["lower", "compact", "runon", "space", "lowerspace"])
    b.t(c.L("Hi! Please update the payout account for our company to ", "Hej! Vänligen uppdatera utbetalningskontot för vårt bolag till "))
    if style == "runon":
        b.s(raw, "iban").t(rng.choice(["tack", "thanks", "BIC", "asap"]) + " ")
    else:
        b.s(fmt_iban(rng, raw, style), "iban").t(" ")
    b.t(c.L("from next month (", "från nästa månad (")).d(date_str(c), "date").t(").\n")
    b.t(c.L("Old one was ", "Det gamla var ")).s(fmt_iban(rng, iban_raw(rng)), "iban").t(".\n")
    if rng.random() < .5:
        b.t(c.L("A colleague typed ", "En kollega skrev ")).d(bad_iban(rng), "invalid_checksum").t(c.L(" earlier, that one is wrong, ignore.\n", " tidigare, det är fel, ignorera.\n"))
    b.t(c.L("Company: ", "Bolag: ")).d(c.company, "company")
    if c.country == "se":
        b.t(c.L(", org no ", ", orgnr ")).d(orgnr(rng), "org_number")
    b.t(c.L(". Authorised by ", ". Godkänt av ")).s(c.member().full, "name").t(c.L(" (CFO).", " (CFO)."))
    b.t("\n" + c.L("Verify with me by phone: ", "Verifiera med mig på telefon: ")).s(c.rep_phone_text(True), "reporter")
    signature(b, c)
    return "plain email"


def t_card(b, c):
    rng = c.rng
    b.t(c.L("Your payment page keeps failing, I've tried two cards. ", "Er betalsida strular, har testat två kort. "))
    b.t(c.L("First one ", "Första ")).s(card_number(rng), "card").t(c.L(" exp ", " giltigt till ")).d("%02d/%02d" % (rng.randint(1, 12), rng.randint(27, 31)), "expiry_date")
    b.t(c.L(", then the company card ending ", ", sen företagskortet som slutar på ")).d(rng.choice(["**** 4821", "•••• 0193", "XXXX-XXXX-XXXX-7730", "**** **** **** 5512"]), "masked_card").t(".\n")
    if rng.random() < .5:
        b.t(c.L("The receipt showed ", "Kvittot visade ")).d(bad_card(rng), "invalid_checksum").t(c.L(" which isn't even my number?\n", " vilket inte ens är mitt nummer?\n"))
    b.t(c.L("Charged ", "Debiterat ")).d(amount(c), "amount").t(c.L(" twice on ", " två gånger den ")).d(date_str(c), "date").t(c.L(", order ", ", order ")).d("ORD-%d" % rng.randint(100000, 999999), "order_number").t(".\n")
    b.t(c.L("Subscription is under ", "Abonnemanget står på ")).s(c.rep_email, "reporter").t(c.L(" (user ", " (användare ")).s(c.username, "reporter").t(").")
    signature(b, c)
    return "plain email"


def t_payroll(b, c):
    rng = c.rng
    m = c.member()
    m2 = c.member()
    b.t(c.L("Hi, the payroll file rejects ", "Hej, lönefilen avvisar ")).s(m.first + ("'s" if c.lang != "sv" else "s") if False else m.first, "name")
    b.t(c.L("'s" if True else "", "s") + c.L(" personal number ", " personnummer "))
    b.s(personnummer(rng, coord=rng.random() < .35, century=rng.random() < .5), "personnummer").t(". ")
    b.t(c.L("Our org number ", "Vårt orgnr ")).d(orgnr(rng), "org_number").t(c.L(" is correct in settings. ", " stämmer i inställningarna. "))
    b.t(c.L("Mine is ", "Mitt är ")).s(personnummer(rng, century=rng.random() < .5), "personnummer").t(c.L(" and that one works. ", " och det funkar. "))
    if rng.random() < .5:
        b.t(c.L("Someone wrote ", "Någon skrev ")).d(bad_personnummer(rng), "invalid_checksum").t(c.L(" in the old system, that's a typo. ", " i gamla systemet, det är ett stavfel. "))
    b.t(c.L("Salary run for ", "Lönekörning för ")).d(rng.choice(["november", "oktober", "period 11"]), "date").t(c.L(" is blocked. ", " är blockerad. "))
    if m2 is not m:
        b.s(m2.last, "name").t(c.L(" in ", " på ")).d(rng.choice(TEAMS), "team").t(c.L(" is waiting too.", " väntar också."))
    signature(b, c, rng.choice(["full", "caps", "short"]))
    return "plain email"


def t_phonechange(b, c):
    rng = c.rng
    b.t(c.L("Hello, my phone number in the profile is out of date and 2FA SMS go to the old one. ", "Hej, mitt nummer i profilen är gammalt och sms-koderna går till det gamla. "))
    b.t(c.L("Profile shows ", "Profilen visar ")).s(c.rep_phone_text(), "reporter").t(c.L(" but I now use ", " men jag använder nu "))
    b.s(c.other_phone(), "phone").t(". ")
    b.t(c.L("Office switchboard ", "Växeln ")).s(c.other_phone(), "phone").t(c.L(" if you can't reach me. ", " om ni inte når mig. "))
    b.t(c.L("Help article ", "Hjälpartikeln ")).d(PUBLIC_LINKS[-1], "public_link").t(c.L(" says to contact you.", " säger att jag ska kontakta er."))
    b.t("\n" + c.L("Account: ", "Konto: ")).s(c.rep_email, "reporter")
    signature(b, c, rng.choice(["short", "minimal", "mobile", "caps"]))
    return "plain email"


def t_splitmail(b, c):
    rng = c.rng
    m = c.member()
    em = c.member_email(m)
    local, dom = em.split("@")
    parts = dom.split(".")
    k = rng.randint(0, len(dom) - 1)
    split_dom = dom[:k] + "\n" + dom[k:] if rng.random() < .6 else dom.replace(".", ".\n", 1)
    b.t(c.L("Please add a new admin, details from our HR system (copied from a narrow window):\n\n", "Lägg till en ny admin, uppgifter från HR-systemet (kopierat från ett smalt fönster):\n\n"))
    b.t(c.L("Name: ", "Namn: ")).s(m.full, "name").t("\n" + c.L("Email: ", "E-post: ")).s(local + "@" + split_dom, "email").t("\n")
    b.t(c.L("Role: ", "Roll: ")).d(rng.choice(TITLES_EN + TITLES_SV), "job_title").t("\n")
    b.t(c.L("Start: ", "Start: ")).d(date_str(c), "date").t("\n\n")
    loc2, dom2 = c.rep_email.split("@")
    k2 = rng.randint(1, len(dom2) - 1)
    b.t(c.L("Confirmation to me please: ", "Bekräftelse till mig: ")).s(loc2 + "@" + dom2[:k2] + "\n" + dom2[k2:], "reporter").t("\n")
    b.t(c.L("(our ", "(vårt ")).d(rng.choice(PRODUCTS[4:]), "product").t(c.L(" wraps lines weirdly)", " bryter raderna konstigt)"))
    signature(b, c, rng.choice(["short", "minimal", "full"]))
    return "plain email"


def t_gdpr(b, c):
    rng = c.rng
    m = c.member()
    b.t(c.L("Data deletion request\n\n", "Begäran om radering\n\n"))
    b.s(m.full.upper() if False else m.full, "name").t(c.L(" left us on ", " slutade hos oss ")).d(date_str(c), "date").t(c.L(". Please delete ", ". Radera "))
    b.s(m.first, "name").t(c.L("'s time reports older than 24 months but keep the invoices (", "s tidrapporter äldre än 24 månader men behåll fakturorna ("))
    b.d("F-%d" % rng.randint(1000, 9999), "invoice_number").t(c.L(" onward).\n", " och framåt).\n"))
    b.t(c.L("Personal id for matching: ", "Personnummer för matchning: ")).s(personnummer(rng, coord=rng.random() < .3), "personnummer").t("\n")
    b.t(c.L("Employer: ", "Arbetsgivare: ")).d(c.company, "company").t(" (").d(orgnr(rng), "org_number").t(")\n")
    b.t(c.L("Our DPO ", "Vårt dataskyddsombud ")).d(c.outsider.full, "non_member_name").t(c.L(" (external) is in cc: ", " (extern) i kopia: ")).s(ascii_fold(c.outsider.last).lower() + "@dpo-partner.se", "email").t("\n")
    b.t(c.L("Policy: ", "Policy: ")).d("https://tidvis.se/privacy", "public_link")
    signature(b, c, "full")
    b.t("\n\n" + rng.choice(DISCLAIMERS))
    return "plain email"


def t_access_log(b, c, long=False):
    rng = c.rng
    b.t(c.L("Someone keeps logging in to my account, here's what I exported from the audit log:\n\n", "Någon loggar in på mitt konto, här är vad jag exporterade från granskningsloggen:\n\n"))
    n = rng.randint(30, 45) if long else rng.randint(4, 9)
    ua = ["Mozilla/5.0", "okhttp/4.12.0", "TidvisMobile/" + version(c), "curl/8.4.0"]
    for i in range(n):
        b.d("2026-%02d-%02d" % (rng.randint(9, 11), rng.randint(1, 28)), "date").t(" ").d(time_str(c, True), "time").t(" ")
        b.s(rand_ip(rng), "ip").t(" user=")
        b.s(c.username if rng.random() < .7 else c.rep_email, "reporter")
        r = rng.random()
        if r < .15:
            _, url = secret_url(c, rng.choice(["magic", "reset"]))
            b.t(" event=link_opened url=").s(url, "url")
        elif r < .3:
            b.t(" event=login_failed reason=bad_password")
        else:
            b.t(" event=" + rng.choice(["login_ok", "token_refresh", "export_csv", "view_payslip", "logout"]))
        b.t(" ua=\"" + rng.choice(ua) + "\"\n")
    b.t("\n" + c.L("The ", "Adresserna från ")).d(rng.choice(["Frankfurt", "Amsterdam", "Singapore"]), "city").t(c.L(" addresses aren't us.", " är inte vi."))
    signature(b, c, rng.choice(["short", "minimal", "full"]))
    return "log excerpt"


def t_onelines(b, c):
    rng = c.rng
    b.t(rng.choice([c.L("Invite link doesn't work for our new guy: ", "Inbjudningslänken funkar inte för vår nya: "),
                    c.L("This shared report link shows someone else's data?? ", "Den här delade rapportlänken visar någon annans data?? "),
                    c.L("Download link expired already: ", "Nedladdningslänken har redan gått ut: ")]))
    _, url = secret_url(c, rng.choice(["invite", "uuid", "signed", "magic"]))
    b.s(url, "url").t(" " + c.L("pls fix", "fixa tack"))
    signature(b, c, rng.choice(["caps", "full", "short"]))
    return "plain email"


def t_intl(b, c):
    """British / German / Norwegian / Danish partner writing in English with local formats."""
    rng = c.rng
    cc = rng.choice(["gb", "de", "no", "dk"])
    ccu = cc.upper()
    first, last = rng.choice(NAMES[cc][0]), rng.choice(NAMES[cc][1])
    used = {c.rep.first, c.rep.last} | {x.first for x in c.members} | {x.last for x in c.members}
    outside = not (first in used or last in used)
    b.t(c.L("Forwarding a question from our subsidiary contact, can you help?\n\n", "Vidarebefordrar en fråga från vår kontakt på dotterbolaget, kan ni hjälpa till?\n\n"))
    b.t("> From: ")
    if outside:
        b.d(first + " " + last, "non_member_name")
    else:
        b.t("Accounts team")
    b.t(" <").s("accounts@" + {"gb": "harbourline.co.uk", "de": "nordhafen-handel.de", "no": "vestkyst.no", "dk": "fynbo.dk"}[cc], "email").t(">\n")
    b.t("> Our payments to you from ").d({"gb": "Harbourline Ltd", "de": "Nordhafen Handel GmbH", "no": "Vestkyst Handel AS", "dk": "Fynbo Handel ApS"}[cc], "company")
    b.t(" bounce. We pay from ").s(fmt_iban(rng, iban_raw(rng, ccu)), "iban").t(".\n")
    b.t("> Ring/call our office on ").s(c.other_phone(cc), "phone").t(" or mobile ").s(c.other_phone(cc), "phone").t(".\n")
    b.t("> Our ref ").d("PO-%d" % rng.randint(10000, 99999), "order_number").t(", amount ").d(amount(c), "amount").t("\n\n")
    m = c.member()
    b.s(m.first, "name").t(c.L(" handles this account on our side, ", " sköter kontot hos oss, ")).s(c.member_email(m), "email")
    signature(b, c, rng.choice(["full", "short", "caps"]))
    return "forwarded thread"


TEMPLATES = [(t_plain, 3), (t_mobile, 2), (t_thread, 3), (t_invoice, 2), (t_vcard, 2), (t_notification, 3),
             (t_http, 2), (t_trace, 2), (t_csv, 2), (t_chat, 3), (t_bank, 3), (t_card, 3), (t_payroll, 3),
             (t_phonechange, 2), (t_splitmail, 2), (t_gdpr, 1), (t_access_log, 2), (t_onelines, 2), (t_intl, 2)]

# ---------------------------------------------------------------- self-check

URL_RE = re.compile(r"https?://|www\.", re.I)
IP4_RE = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
IP6_RE = re.compile(r"\b(?:[0-9a-f]{1,4}:){4,}[0-9a-f]{1,4}\b|\b[0-9a-f]{1,4}::", re.I)


def self_check(msg, c):
    text = msg["text"]
    chars = list(text)
    for s in msg["spans"] + msg["distractors"]:
        for i in range(s["start"], s["end"]):
            chars[i] = "\x01"
    un = "".join(chars)
    if "@" in un.replace("@\x01", ""):
        return "at"
    if URL_RE.search(un):
        return "url"
    if IP4_RE.search(un) or IP6_RE.search(un):
        return "ip"
    if re.search(r"\d{7,}", un):
        return "digits"
    words = set()
    for p in [c.rep] + c.members:
        for w in (p.first, p.last):
            if len(w) >= 3:
                words.add(w.lower())
    words.add(c.username.lower())
    low = un.lower()
    for w in words:
        if re.search(r"(?<![\w.])" + re.escape(w) + r"(?![\w])", low):
            return "name:" + w
    # distractors must not carry the people's names either
    for d in msg["distractors"]:
        for w in words:
            if re.search(r"\b" + re.escape(w) + r"\b", d["text"].lower()):
                return "dname:" + w
    n = len(text)
    if n < 100 or n > 5200 or (n > 3000 and msg["style"] not in ("log excerpt", "csv paste")):
        return "len"
    return None


def build(idx, lang, tmpl, rng):
    for attempt in range(200):
        c = Ctx(rng, lang, idx)
        b = B()
        if tmpl in (t_csv, t_access_log):
            style = tmpl(b, c, long=(rng.random() < .3))
        else:
            style = tmpl(b, c)
        msg = {
            "id": "f-%04d" % idx,
            "lang": lang,
            "style": style,
            "reporter": {"name": c.rep.full, "email": c.rep_email, "username": c.username, "phone": c.profile_phone},
            "org_members": [m.full for m in c.members],
            "text": b.text,
            "spans": b.spans,
            "distractors": b.dis,
        }
        if self_check(msg, c) is None:
            return msg
    raise AssertionError("could not build message %d" % idx)


def validate(msg):
    t = msg["text"]
    ivs = []
    for s in msg["spans"] + msg["distractors"]:
        assert t[s["start"]:s["end"]] == s["text"], (msg["id"], s)
        assert s["end"] > s["start"]
        ivs.append((s["start"], s["end"]))
    ivs.sort()
    for (a, b_), (c_, d) in zip(ivs, ivs[1:]):
        assert b_ <= c_, (msg["id"], "overlap", a, b_, c_, d)
    for s in msg["spans"]:
        raw = re.sub(r"[\s\-]", "", s["text"])
        if s["kind"] == "card":
            assert luhn_ok(raw), s
        elif s["kind"] == "iban":
            assert iban_ok(raw), s
        elif s["kind"] == "personnummer":
            d = re.sub(r"\D", "", raw)[-10:]
            assert luhn_ok(d), s
    for d in msg["distractors"]:
        if d["sort"] == "org_number":
            x = re.sub(r"\D", "", d["text"])
            assert luhn_ok(x) and int(x[2]) >= 2, d


def generate():
    rng = random.Random(SEED)
    langs = ["en"] * 144 + ["sv"] * 128 + ["mixed"] * 48
    rng.shuffle(langs)
    pool = [t for t, w in TEMPLATES for _ in range(w)]
    msgs = []
    for i, lang in enumerate(langs, 1):
        tmpl = pool[(i * 7 + rng.randint(0, 3)) % len(pool)]
        msg = build(i, lang, tmpl, rng)
        validate(msg)
        msgs.append(msg)
    return msgs


def main():
    msgs = generate()
    out = Path(__file__).with_name("corpus.json")
    out.write_text(json.dumps(msgs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print("wrote %d messages to %s" % (len(msgs), out))


if __name__ == "__main__":
    main()
