"""Roles are asked about through their registries only: staff permissions
(accounts/staff_roles.py) and organisation scopes and the team-manager rule
(organizations/roles.py, organizations/selectors.py). No Python outside the staff
registry names a staff group to check a role, no view compares an organisation or
team role, and no template compares a role name. The scanners are tested first on
code as it was written before the registries, so a pass means something."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".git", ".venv", "node_modules", "tests", "migrations", "static", "locale"}
STAFF_REGISTRY = ROOT / "accounts" / "staff_roles.py"
# Pages and API views: they ask for scopes and permissions, never for roles.
VIEW_MODULES = {"views.py", "console.py", "api_views.py", "staff_views.py", "api_base.py", "dev_views.py"}
ORG_ROLE_ENUMS = {"OrgRole", "TeamRole"}


def _python_files():
    for path in sorted(ROOT.rglob("*.py")):
        if SKIPPED_DIRS.isdisjoint(path.relative_to(ROOT).parts[:-1]) and path != STAFF_REGISTRY:
            yield path


def _strings(node) -> list[str]:
    """The string constants a value is made of ("x", or a list/tuple/set of them)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [s for element in node.elts for s in _strings(element)]
    return []


def _target_names(node: ast.Assign | ast.AnnAssign) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [t.id for t in targets if isinstance(t, ast.Name)]


def staff_role_checks(source: str) -> list[int]:
    """Lines where Python names a staff group to check or grant a role. The
    string "support" is also an app, a schema tag, a navigation section and an
    erasure hook, so it counts only compared, given as a group's name or bound
    to a *GROUP*/*STAFF* constant; "privacy_officer" is a role wherever it is."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value == "privacy_officer":
            lines.append(node.lineno)
        elif isinstance(node, ast.keyword) and node.arg and node.arg.startswith("groups__"):
            lines.append(node.value.lineno)
        elif isinstance(node, ast.keyword) and node.arg and node.arg.startswith("name"):
            if "support" in _strings(node.value):
                lines.append(node.value.lineno)
        elif isinstance(node, ast.Compare):
            if any("support" in _strings(operand) for operand in [node.left, *node.comparators]):
                lines.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            named = [n for n in _target_names(node) if "GROUP" in n.upper() or "STAFF" in n.upper()]
            if named and "support" in _strings(node.value):
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"filter", "exclude", "get"}
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "groups"
        ):
            # user.groups.filter(...): a group looked up by hand, whatever names it.
            lines.append(node.lineno)
    return sorted(set(lines))


def view_role_comparisons(source: str) -> list[int]:
    """Lines where a view compares with an organisation or team role
    (``membership.role in (OrgRole.OWNER, OrgRole.ADMIN)``, ``tm.role == "team_admin"``)."""
    org_role_names = {"owner", "admin", "member", "guest", "team_admin"}

    def names_a_role(operand) -> bool:
        elements = operand.elts if isinstance(operand, ast.List | ast.Tuple | ast.Set) else [operand]
        return any(
            (
                isinstance(e, ast.Attribute)
                and isinstance(e.value, ast.Name)
                and e.value.id in ORG_ROLE_ENUMS
                and e.attr.isupper()
            )
            or (isinstance(e, ast.Constant) and e.value in org_role_names)
            for e in elements
        )

    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Compare) and any(names_a_role(o) for o in [node.left, *node.comparators])
    ]


TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
ROLE_NAMES = "owner|admin|member|guest|team_admin|support|privacy_officer"
ROLE_LITERAL = re.compile(rf"""["'][^"']*\b({ROLE_NAMES})\b[^"']*["']""")
COMPARISON = re.compile(r"==|!=|\bin\b")
ROLE_VARIABLE = re.compile(r"\w*role\w*")
ROLE_ATTRIBUTE = re.compile(rf"\.({ROLE_NAMES})\b")
ROLE_WORD = re.compile(r"\b(team_admin|privacy_officer)\b")
TRANSLATION = re.compile(r"^\{%-?\s*(translate|trans|blocktranslate|blocktrans)\b")


def template_role_checks(source: str) -> list[str]:
    """Template tags that test a role: a role name compared with a role variable
    (``membership.role == "guest"``), a role looked up as an attribute
    (``sections.privacy_officer``, ``sections.support``), or the staff and team
    role names anywhere in a tag. ``section == "support"`` (which page is
    current) and ``value == tm.role`` (the selected option) are not role checks."""
    found = []
    for match in TAG.finditer(source):
        tag = match.group()
        if TRANSLATION.match(tag):
            continue
        unquoted = re.sub(r"\"[^\"]*\"|'[^']*'", '""', tag)
        if (
            ROLE_WORD.search(tag)
            or ROLE_ATTRIBUTE.search(unquoted)
            or (ROLE_LITERAL.search(tag) and COMPARISON.search(unquoted) and ROLE_VARIABLE.search(unquoted))
        ):
            found.append(tag)
    return found


# --- The scanners catch the code as it was ----------------------------------------------

BEFORE_PY = [
    'PRIVACY_OFFICER_GROUP = "privacy_officer"',
    'SUPPORT_GROUP = "support"',
    'STAFF_GROUPS = ["support", "privacy_officer"]',
    "user.groups.filter(name=PRIVACY_OFFICER_GROUP).exists()",
    "user.groups.filter(name__in=[SUPPORT_GROUP, PRIVACY_OFFICER_GROUP]).exists()",
    "User.objects.filter(Q(is_superuser=True) | Q(groups__name__in=[SUPPORT_GROUP]))",
    'groups["privacy_officer"].permissions.add(p)',
    'officer.groups.add(Group.objects.get_or_create(name="support")[0])',
    'sections = {"support": bool(groups), "privacy_officer": PRIVACY_OFFICER_GROUP in groups}',
    'if group.name == "support":\n    pass',
]

LEGITIMATE_PY = [
    '@extend_schema(tags=["support"])\ndef view(): pass',
    'context = {"section": "support", "page": page}',
    'HOOKS = [("support", _support)]',
    'class SupportConfig(AppConfig):\n    name = "support"',
    'SV_ROLES = ("faktura", "ekonomi", "support", "dataskydd")',
    "groups = {role: Group.objects.get_or_create(name=role)[0] for role in StaffRole}",
    "officer.groups.add(Group.objects.get_or_create(name=StaffRole.PRIVACY_OFFICER)[0])",
]


@pytest.mark.parametrize("snippet", BEFORE_PY)
def test_the_python_scanner_catches_staff_group_checks(snippet):
    assert staff_role_checks(snippet)


@pytest.mark.parametrize("snippet", LEGITIMATE_PY)
def test_the_python_scanner_leaves_other_uses_of_the_words_alone(snippet):
    assert staff_role_checks(snippet) == []


def test_the_view_scanner_catches_a_role_comparison():
    before = (
        "is_manager = membership.role in (OrgRole.OWNER, OrgRole.ADMIN) or any(\n"
        "    tm.membership_id == membership.pk and tm.role == TeamRole.TEAM_ADMIN for tm in team_members\n"
        ")"
    )
    assert view_role_comparisons(before) == [1, 2]
    assert view_role_comparisons('if membership.role == "guest": pass') == [1]
    assert view_role_comparisons('context = {"roles": OrgRole.choices, "same": a == b}') == []


@pytest.mark.parametrize(
    "snippet",
    [
        '{% if membership.role == "guest" %}',
        "{% if member.role != 'owner' %}",
        '{% if tm.role == "team_admin" %}',
        '{% if membership.role in "owner admin" %}',
        "{% if sections.privacy_officer %}",
        "{% if sections.support %}",
        "{{ roles.team_admin }}",
    ],
)
def test_the_template_scanner_catches_role_checks(snippet):
    assert template_role_checks(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        '{% if section == "support" %}aria-current="page"{% endif %}',
        "{% if value == tm.role %}selected{% endif %}",
        "{% if can.teams_write %}",
        "{% if staff_can.support_cases_handle %}",
        "{% if membership.is_primary_owner %}",
        '{% translate "Support cases" %}',
    ],
)
def test_the_template_scanner_leaves_other_comparisons_alone(snippet):
    assert template_role_checks(snippet) == []


# --- The code as it is ------------------------------------------------------------------


def test_no_python_outside_the_staff_registry_checks_a_staff_group():
    found = {
        str(path.relative_to(ROOT)): lines
        for path in _python_files()
        if (lines := staff_role_checks(path.read_text()))
    }
    assert found == {}, "ask accounts.staff_roles for a StaffPermission instead"


def test_no_view_compares_an_organisation_or_team_role():
    found = {
        str(path.relative_to(ROOT)): lines
        for path in _python_files()
        if path.name in VIEW_MODULES and (lines := view_role_comparisons(path.read_text()))
    }
    assert found == {}, "ask organizations.roles / organizations.selectors instead"


def test_no_template_compares_a_role_name():
    found = {
        str(path.relative_to(ROOT)): tags
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if (tags := template_role_checks(path.read_text()))
    }
    assert found == {}, "give the template a permission or a scope through its context instead"
