"""The API contract, as a client sees it: a typed client generated from the schema the
app serves (openapi-python-client) drives a scenario over every resource family against
the live server, as a member, an owner, a newcomer, an outsider and iCentrex staff.

Every call goes through the generated functions and comes back as the generated models.
A status the schema does not document raises (``raise_on_unexpected_status``), a body
the models cannot parse raises, and ``check_model`` compares every parsed value with its
declared type and refuses undeclared fields: any disagreement between the schema and the
server fails the test."""

import datetime
import importlib
import time

import httpx
import pytest
from django.utils import timezone

from audit.streams import logged_streams
from audit.transparency import log_integrate_all
from tests.factories import PASSWORD

from . import world
from .generated_client import check_model, generate

pytestmark = pytest.mark.contract


@pytest.fixture
def icx(live_server, tmp_path):
    started = time.monotonic()
    schema = tmp_path / "schema.json"
    response = httpx.get(f"{live_server.url}/api/schema/?format=json", timeout=60)
    assert response.status_code == 200, response.text
    schema.write_bytes(response.content)
    package = generate(schema, tmp_path)
    print(f"\nclient generated in {time.monotonic() - started:.1f} s")
    return package


class Scenario:
    """Calls generated operations as one persona and checks what comes back."""

    def __init__(self, icx, base_url: str):
        self.icx = icx
        self.base_url = base_url
        self.steps = 0
        self.operations: set[str] = set()

    def client(self, persona: world.Persona):
        return self.icx.AuthenticatedClient(
            base_url=self.base_url, token=persona.token, raise_on_unexpected_status=True, timeout=60
        )

    def __call__(self, who, operation: str, *args, status: int = 200, returns=None, **kwargs):
        """Call ``operation`` (``"<tag module>.<function module>"``) as ``who`` and return
        the parsed body, after checking the status, the model class and every value."""
        module = importlib.import_module(f"{self.icx.__name__}.api.{operation}")
        response = module.sync_detailed(*args, client=self.client(who), **kwargs)
        self.steps += 1
        self.operations.add(operation.rsplit(".", 1)[1])
        assert response.status_code == status, (operation, response.status_code, response.content[:500])
        parsed = response.parsed
        if returns is None:
            expected = self.icx.models.Error if status >= 400 else None
        else:
            expected = getattr(self.icx.models, returns)
        if expected is not None:
            assert isinstance(parsed, expected), (operation, type(parsed), response.content[:500])
            check_model(parsed, operation)
        elif status == 204:
            assert response.content == b"", (operation, response.content[:200])
        return parsed

    def error(self, who, operation: str, *args, status: int, code: str | None = None, **kwargs):
        body = self(who, operation, *args, status=status, **kwargs)
        if code is not None:
            assert body.code == code, (operation, body.code, body.detail)
        return body


@pytest.mark.django_db(transaction=True)
def test_every_resource_family_through_the_generated_client(icx, live_server, dns_server):
    m = icx.models
    call = Scenario(icx, live_server.url)
    acme = world.tenant("acme", "Acme AB")
    globex = world.tenant("globex", "Globex")
    staff = world.staff()
    newcomer = world.persona("newcomer@example.org")
    owner, member, outsider = acme.owner, acme.member, globex.owner

    # --- tokens and me ---------------------------------------------------------------
    created = call(
        member,
        "account.tokens_create",
        body=m.ApiTokenCreateRequest(name="ci", expires_in_days=7),
        status=201,
        returns="ApiTokenCreated",
    )
    assert created.name == "ci" and created.token.startswith("icx_")
    tokens = call(member, "account.tokens_list", returns="PaginatedApiTokenList")
    assert {t.name for t in tokens.results} == {"contract test", "ci"}
    assert call(member, "account.tokens_retrieve", created.id, returns="ApiToken").id == created.id
    call(member, "account.tokens_destroy", created.id, status=204)
    call.error(outsider, "account.tokens_retrieve", member.token_id, status=404)

    me = call(member, "account.me_retrieve", returns="Me")
    assert me.email == "member@acme.example"
    me = call(member, "account.me_partial_update", body=m.PatchedMeRequest(name="Maja Medlem"), returns="Me")
    assert me.name == "Maja Medlem"

    # --- consent and receipts ------------------------------------------------------------
    declaration = call(member, "cookies.cookies_declaration_retrieve", returns="Declaration")
    assert declaration.categories
    choices = m.ConsentDecisionRequestChoices.from_dict(
        {c.key: True for c in declaration.categories}  # accept all
    )
    recorded = call(
        member,
        "consent.consent_create",
        body=m.ConsentDecisionRequest(
            method=m.ConsentDecisionMethodEnum.BANNER_CUSTOM, revision=declaration.revision, choices=choices
        ),
        status=201,
        returns="ConsentRecorded",
    )
    assert recorded.revision_hash == declaration.revision
    state = call(member, "consent.consent_retrieve", returns="ConsentState")
    assert state.revision == declaration.revision
    history = call(member, "consent.consent_history_list", returns="PaginatedConsentHistoryItemList")
    assert recorded.record_id in {item.record_id for item in history.results}
    receipt = call(member, "consent.consent_receipts_retrieve", recorded.record_id, returns="ConsentReceipt")
    assert receipt.record_hash == recorded.record_hash
    call.error(outsider, "consent.consent_receipts_retrieve", recorded.record_id, status=404)
    standard = call(
        member, "consent.consent_receipts_kantara_retrieve", recorded.record_id, returns="KantaraReceipt"
    )
    assert standard.receipt["consentReceiptID"] == str(recorded.record_id) and standard.jws.count(".") == 2
    call.error(outsider, "consent.consent_receipts_kantara_retrieve", recorded.record_id, status=404)
    reported = call(
        outsider,
        "consent.consent_trackers_create",
        body=m.TrackerReportRequest(
            page_url=live_server.url + "/", cookies=["_fbp"], hosts=["cdn.tracker.example"]
        ),
        status=202,
        returns="TrackerReported",
    )
    assert reported.undeclared == 2

    # --- transparency: the receipt's proof, and proofs for anyone --------------------------
    for stream in logged_streams():
        log_integrate_all(stream.name, stream.log)
    receipt = call(member, "consent.consent_receipts_retrieve", recorded.record_id, returns="ConsentReceipt")
    assert receipt.sealed and receipt.proof.leaf_hash
    inclusion = call(
        outsider,
        "transparency.transparency_record_inclusion",
        "consent",
        str(recorded.record_id),
        returns="InclusionProof",
    )
    by_leaf = call(
        outsider,
        "transparency.transparency_leaf_inclusion",
        "consent",
        inclusion.leaf_index,
        returns="InclusionProof",
    )
    assert by_leaf.proof == inclusion.proof
    assert inclusion.leaf_index == receipt.proof.leaf_index and inclusion.tree_size == receipt.proof.tree_size
    consistency = call(
        outsider,
        "transparency.transparency_consistency_retrieve",
        "consent",
        first=0,
        returns="ConsistencyProof",
    )
    assert consistency.second == inclusion.tree_size and consistency.proof == []
    call.error(outsider, "transparency.transparency_leaf_inclusion", "consent", 10**6, status=404)

    # --- organisations -------------------------------------------------------------------
    mine = call(owner, "organisations.orgs_list", returns="PaginatedMyOrganizationList")
    assert [o.organization.slug for o in mine.results] == ["acme"]
    side = call(
        owner,
        "organisations.orgs_create",
        body=m.OrganizationCreateRequest(name="Acme Labs"),
        status=201,
        returns="Organization",
    )
    assert side.slug == "acme-labs"
    renamed = call(
        owner,
        "organisations.orgs_partial_update",
        "acme",
        body=m.PatchedOrganizationUpdateRequest(name="Acme Sverige AB"),
        returns="Organization",
    )
    assert renamed.name == "Acme Sverige AB"
    assert call(member, "organisations.orgs_retrieve", "acme", returns="Organization").name == renamed.name
    call.error(outsider, "organisations.orgs_retrieve", "acme", status=404)
    call.error(
        member,
        "organisations.orgs_partial_update",
        "acme",
        body=m.PatchedOrganizationUpdateRequest(name="Mine now"),
        status=403,
    )

    # --- invitations and members ---------------------------------------------------------
    invitation = call(
        owner,
        "invitations.orgs_invitations_create",
        "acme",
        body=m.InvitationCreateRequest(email="newcomer@example.org", role=m.OrgRoleEnum.MEMBER),
        status=201,
        returns="Invitation",
    )
    assert invitation.status == m.InvitationStatusEnum.PENDING
    to_revoke = call(
        owner,
        "invitations.orgs_invitations_create",
        "acme",
        body=m.InvitationCreateRequest(email="someone.else@example.org"),
        status=201,
        returns="Invitation",
    )
    listed = call(owner, "invitations.orgs_invitations_list", "acme", returns="PaginatedInvitationList")
    assert {i.id for i in listed.results} >= {invitation.id, to_revoke.id}
    call(owner, "invitations.orgs_invitations_destroy", "acme", to_revoke.id, status=204)
    call.error(outsider, "invitations.orgs_invitations_destroy", "acme", invitation.id, status=404)

    waiting = call(newcomer, "invitations.invitations_list", returns="PaginatedMyInvitationList")
    assert [i.public_id for i in waiting.results] == [invitation.public_id]
    joined = call(
        newcomer, "invitations.invitations_accept_create", invitation.public_id, returns="MyOrganization"
    )
    assert joined.organization.slug == "acme" and joined.role == m.OrgRoleEnum.MEMBER
    call.error(
        newcomer,
        "invitations.invitations_accept_create",
        invitation.public_id,
        status=409,
        code="invitation_closed",
    )
    declined = call(
        owner,
        "invitations.orgs_invitations_create",
        "acme-labs",
        body=m.InvitationCreateRequest(email="member@acme.example"),
        status=201,
        returns="Invitation",
    )
    call(member, "invitations.invitations_decline_create", declined.public_id, status=204, returns=None)

    members = call(owner, "members.orgs_members_list", "acme", returns="PaginatedMemberList")
    by_email = {mem.user.email: mem for mem in members.results}
    assert set(by_email) == {"owner@acme.example", "member@acme.example", "newcomer@example.org"}
    newcomer_id = by_email["newcomer@example.org"].id
    promoted = call(
        owner,
        "members.orgs_members_partial_update",
        "acme",
        newcomer_id,
        body=m.PatchedMemberUpdateRequest(role=m.OrgRoleEnum.ADMIN),
        returns="Member",
    )
    assert promoted.role == m.OrgRoleEnum.ADMIN
    assert (
        call(member, "members.orgs_members_retrieve", "acme", newcomer_id, returns="Member").role == "admin"
    )
    call.error(outsider, "members.orgs_members_retrieve", "acme", newcomer_id, status=404)
    call.error(
        member,
        "members.orgs_members_partial_update",
        "acme",
        newcomer_id,
        body=m.PatchedMemberUpdateRequest(role=m.OrgRoleEnum.GUEST),
        status=403,
    )

    # --- teams ---------------------------------------------------------------------------
    team = call(
        owner,
        "teams.orgs_teams_create",
        "acme",
        body=m.TeamWriteRequest(name="Design"),
        status=201,
        returns="Team",
    )
    team = call(
        owner,
        "teams.orgs_teams_partial_update",
        "acme",
        team.id,
        body=m.PatchedTeamWriteRequest(name="Design & UX"),
        returns="Team",
    )
    assert team.name == "Design & UX"
    assert [
        t.id for t in call(member, "teams.orgs_teams_list", "acme", returns="PaginatedTeamList").results
    ] == [team.id]
    assert call(member, "teams.orgs_teams_retrieve", "acme", team.id, returns="Team").name == "Design & UX"
    member_id = by_email["member@acme.example"].id
    in_team = call(
        owner,
        "teams.orgs_teams_members_create",
        "acme",
        team.id,
        body=m.TeamMemberAddRequest(member_id=member_id),
        status=201,
        returns="TeamMember",
    )
    in_team = call(
        owner,
        "teams.orgs_teams_members_partial_update",
        "acme",
        team.id,
        member_id,
        body=m.PatchedTeamMemberUpdateRequest(role=m.TeamRoleEnum.TEAM_ADMIN),
        returns="TeamMember",
    )
    assert in_team.role == m.TeamRoleEnum.TEAM_ADMIN
    team_members = call(
        owner, "teams.orgs_teams_members_list", "acme", team.id, returns="PaginatedTeamMemberList"
    )
    assert len(team_members.results) == 1
    call.error(outsider, "teams.orgs_teams_retrieve", "acme", team.id, status=404)
    throwaway = call(
        owner,
        "teams.orgs_teams_create",
        "acme",
        body=m.TeamWriteRequest(name="Temp"),
        status=201,
        returns="Team",
    )
    call(
        owner,
        "teams.orgs_teams_members_create",
        "acme",
        throwaway.id,
        body=m.TeamMemberAddRequest(member_id=newcomer_id),
        status=201,
        returns="TeamMember",
    )
    call(owner, "teams.orgs_teams_members_destroy", "acme", throwaway.id, newcomer_id, status=204)
    call(owner, "teams.orgs_teams_destroy", "acme", throwaway.id, status=204)

    # --- data policy and reviews ---------------------------------------------------------
    policy = call(owner, "data_policy.orgs_data_policy_retrieve", "acme", returns="DataPolicy")
    assert policy.in_plain_words
    policy = call(
        owner,
        "data_policy.orgs_data_policy_partial_update",
        "acme",
        body=m.PatchedDataPolicyUpdateRequest(
            retention_days=400, review_allowed_for=m.PolicyAudienceEnum.OWNERS, notify_member_on_review=True
        ),
        returns="DataPolicy",
    )
    assert policy.retention_days == 400 and policy.notify_member_on_review is True
    record = call(
        owner,
        "members.orgs_members_review_create",
        "acme",
        member_id,
        body=m.ReviewRequestRequest(reason="Quarterly access review"),
        returns="MemberDataRecord",
    )
    assert record.profile["email"] == "member@acme.example"
    reviews = call(member, "account.me_reviews_list", returns="PaginatedReviewOfMyDataList")
    assert [r.reason for r in reviews.results] == ["Quarterly access review"]

    # --- domains and disclosures ---------------------------------------------------------
    claim = call(
        owner,
        "domains.orgs_domains_create",
        "acme",
        body=m.DomainClaimCreateRequest(domain="acme.example"),
        status=201,
        returns="DomainClaim",
    )
    assert claim.status == "pending"
    assert (
        call(
            owner, "domains.orgs_domains_verify_create", "acme", claim.id, returns="DomainClaim"
        ).last_check_result
        == "no_record"
    )
    dns_server.txt[claim.dns_record_name] = [claim.dns_record_value]
    assert (
        call(owner, "domains.orgs_domains_verify_create", "acme", claim.id, returns="DomainClaim").status
        == "verified"
    )
    assert [
        d.id
        for d in call(owner, "domains.orgs_domains_list", "acme", returns="PaginatedDomainClaimList").results
    ] == [claim.id]
    assert call(owner, "domains.orgs_domains_retrieve", "acme", claim.id, returns="DomainClaim").verified_at
    call.error(outsider, "domains.orgs_domains_retrieve", "acme", claim.id, status=404)
    dry = call(owner, "domains.orgs_disclosures_dry_run_create", "acme", returns="DryRun")
    assert dry.people_matched >= 0
    call(owner, "domains.orgs_disclosures_list", "acme", returns="PaginatedDisclosureList")
    call(member, "account.me_disclosures_list", returns="PaginatedMyDisclosureList")
    gone = call(
        owner,
        "domains.orgs_domains_create",
        "acme",
        body=m.DomainClaimCreateRequest(domain="old.acme.example"),
        status=201,
        returns="DomainClaim",
    )
    call(owner, "domains.orgs_domains_destroy", "acme", gone.id, status=204)

    # --- integrations and data sharing ---------------------------------------------------
    provider = call(
        staff,
        "provider_register.providers_create",
        body=m.ProviderCreateRequest(
            name="Contract Hooks",
            slug="contract-hooks",
            kind=m.KindEnum.INTEGRATION,
            purpose="Checks the contract",
            fields=[m.FieldsEnum.IDENTITY_NAME, m.FieldsEnum.TEAM_NAME],
            webhook_url="https://hooks.example.com/icx",
        ),
        status=201,
        returns="Provider",
    )
    assert provider.signing_secret
    assert call(staff, "provider_register.providers_retrieve", "contract-hooks", returns="Provider").name
    call(
        staff,
        "provider_register.providers_partial_update",
        "contract-hooks",
        body=m.PatchedProviderUpdateRequest(description="Now described"),
        returns="Provider",
    )
    register = call(staff, "provider_register.providers_list", returns="PaginatedProviderList")
    assert "contract-hooks" in {p.slug for p in register.results}
    call.error(member, "provider_register.providers_list", status=403)
    catalogue = call(member, "integrations.integrations_list", returns="PaginatedCatalogueEntryList")
    assert "contract-hooks" in {c.slug for c in catalogue.results}

    installed = call(
        owner,
        "integrations.orgs_integrations_create",
        "acme",
        body=m.OrgInstallationCreateRequest(
            provider="contract-hooks", team_id=team.id, fields=[m.FieldsEnum.TEAM_NAME]
        ),
        status=201,
        returns="Installation",
    )
    assert [f.key for f in installed.granted_fields] == ["team.name"]
    call(owner, "integrations.orgs_integrations_list", "acme", returns="PaginatedInstallationList")
    call(owner, "integrations.orgs_integrations_retrieve", "acme", installed.id, returns="Installation")
    call.error(outsider, "integrations.orgs_integrations_retrieve", "acme", installed.id, status=404)
    personal = call(
        member,
        "integrations.me_integrations_create",
        body=m.MyInstallationCreateRequest(provider="contract-hooks", fields=[m.FieldsEnum.IDENTITY_NAME]),
        status=201,
        returns="Installation",
    )
    call(member, "integrations.me_integrations_list", returns="PaginatedInstallationList")
    call(member, "integrations.me_integrations_retrieve", personal.id, returns="Installation")
    call(member, "data_sharing.me_data_sharing_retrieve", returns="SharingLog")
    call(owner, "data_sharing.orgs_data_sharing_retrieve", "acme", returns="OrgSharingLog")
    call(member, "integrations.me_integrations_destroy", personal.id, status=204)
    call(owner, "integrations.orgs_integrations_destroy", "acme", installed.id, status=204)

    # --- support cases (member reports, staff shares with the organisation) ---------------
    case = call(
        member,
        "support.support_cases_create",
        body=m.CaseOpenRequest(
            subject="Wrong name shown", body="My colleague sees my old name.", organization="acme"
        ),
        status=201,
        returns="CaseDetail",
    )
    assert case.organization == "acme"
    assert [
        c.id for c in call(member, "support.support_cases_list", returns="PaginatedCaseList").results
    ] == [case.id]
    call(member, "support.support_cases_retrieve", case.id, returns="CaseDetail")
    call.error(outsider, "support.support_cases_retrieve", case.id, status=404)
    call(staff, "support.support_cases_retrieve", case.id, returns="CaseDetail")
    call(staff, "support.support_cases_mask_preview_create", case.id, returns="MaskPreview")
    share = call(
        staff,
        "support.support_cases_share_create",
        case.id,
        body=m.ShareRequestRequest(),
        status=201,
        returns="CaseShare",
    )
    shared = call(owner, "support.orgs_shared_cases_list", "acme", returns="PaginatedCaseShareList")
    assert [s.id for s in shared.results] == [share.id]
    call(owner, "support.orgs_shared_cases_retrieve", "acme", share.id, returns="SharedCaseDetail")
    call.error(outsider, "support.orgs_shared_cases_retrieve", "acme", share.id, status=404)

    # --- exports and erasure -------------------------------------------------------------
    export = call(
        owner,
        "members.orgs_exports_create",
        "acme",
        body=m.OrganizationExportCreateRequest(format_=m.FormatEnum.CSV),
        status=202,
        returns="OrganizationExport",
    )
    assert export.format_ == m.FormatEnum.CSV
    assert [
        e.id
        for e in call(
            owner, "members.orgs_exports_list", "acme", returns="PaginatedOrganizationExportList"
        ).results
    ] == [export.id]
    call(owner, "members.orgs_exports_retrieve", "acme", export.id, returns="OrganizationExport")
    call.error(outsider, "members.orgs_exports_retrieve", "acme", export.id, status=404)
    mine_export = call(member, "your_data.me_export_create", status=202, returns="PersonalExport")
    call(member, "your_data.me_export_retrieve", mine_export.id, returns="PersonalExport")
    call.error(outsider, "your_data.me_export_retrieve", mine_export.id, status=404)

    erasure = call(
        newcomer,
        "your_data.me_erasure_create",
        body=m.ErasureCreateRequest(password=PASSWORD),
        status=202,
        returns="ErasureRequest",
    )
    assert erasure.status == m.ErasureStatusEnum.SCHEDULED
    assert call(newcomer, "your_data.me_erasure_retrieve", returns="ErasureRequest").id == erasure.id
    cancelled = call(newcomer, "your_data.me_erasure_destroy", returns="ErasureRequest")
    assert cancelled.cancelled_at is not None
    call.error(
        member,
        "your_data.me_erasure_create",
        body=m.ErasureCreateRequest(password="wrong"),
        status=403,
        code="reauthentication_failed",
    )

    # --- policies ------------------------------------------------------------------------
    documents = call(member, "policies.policies_list", returns="PaginatedPolicyDocumentList")
    document = documents.results[0]
    versions = call(
        member, "policies.policies_versions_list", document.slug, returns="PaginatedPolicyVersionList"
    )
    assert versions.results
    draft = call(
        staff,
        "policies.policies_versions_create",
        document.slug,
        body=m.PolicyVersionCreateRequest(
            body="# Policy\n\nA clearer wording.",
            summary="Clearer wording",
            effective_at=timezone.now() + datetime.timedelta(days=30),
        ),
        status=201,
        returns="PolicyVersion",
    )
    assert draft.status == m.PolicyVersionStatusEnum.DRAFT
    published = call(
        staff, "policies.policies_versions_publish_create", document.slug, draft.id, returns="PolicyVersion"
    )
    assert published.number is not None
    call(staff, "policies.policies_notices_progress_retrieve", published.id, returns="NoticeProgress")
    call.error(
        member,
        "policies.policies_versions_create",
        document.slug,
        body=m.PolicyVersionCreateRequest(body="x", effective_at=timezone.now()),
        status=403,
    )
    accepted = call(
        member,
        "policies.me_policy_acceptances_create",
        body=m.PolicyAcceptanceCreateRequest(document=document.slug, version=published.number),
        status=201,
        returns="PolicyAcceptance",
    )
    assert accepted.version == published.number
    call(member, "policies.me_policy_acceptances_list", returns="PaginatedPolicyAcceptanceList")

    # --- audit log, ownership, leaving -------------------------------------------------------
    events = call(owner, "organisations.orgs_audit_events_list", "acme", returns="PaginatedAuditEventList")
    assert events.results
    # The filter is an enum where the schema lists the event types, a plain string where it does not.
    installed_type = getattr(m, "OrgsAuditEventsListEventType", str)("integration.installed")
    filtered = call(
        owner,
        "organisations.orgs_audit_events_list",
        "acme",
        event_type=installed_type,
        returns="PaginatedAuditEventList",
    )
    assert [e.event_type for e in filtered.results] == ["integration.installed"]
    call.error(member, "organisations.orgs_audit_events_list", "acme", status=403)
    handed = call(
        owner,
        "organisations.orgs_transfer_ownership_create",
        "acme",
        body=m.TransferOwnershipRequest(member_id=newcomer_id),
        returns="Member",
    )
    assert handed.is_primary_owner and handed.role == m.OrgRoleEnum.OWNER
    call(member, "organisations.orgs_leave_create", "acme", status=204)
    call.error(member, "organisations.orgs_retrieve", "acme", status=404)
    call.error(outsider, "members.orgs_members_destroy", "acme", newcomer_id, status=404)
    call(newcomer, "members.orgs_members_destroy", "acme", by_email["owner@acme.example"].id, status=204)

    untouched = sorted(_all_operations(icx) - call.operations)
    print(f"generated-client scenario: {call.steps} steps, {len(call.operations)} operations")
    assert not untouched, f"operations the scenario never called: {untouched}"


def _all_operations(icx) -> set[str]:
    import pkgutil

    api = importlib.import_module(f"{icx.__name__}.api")
    names = set()
    for tag in pkgutil.iter_modules(api.__path__):
        module = importlib.import_module(f"{api.__name__}.{tag.name}")
        names |= {op.name for op in pkgutil.iter_modules(module.__path__)}
    return names
