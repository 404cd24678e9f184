"""Who may see and change what in the partner space.

Rules (staff may do everything):
- view an action in the partner space: members (editor or reader) of its pilot or partner
  organisations;
- edit the fiche (status, progress, summary, description, dates), archive it, remove any document
  the user can see: editor members of the pilot organisation;
- contribute (progress notes, indicator measurements, upload documents): editor members of the
  pilot or of a partner organisation; a partner organisation's editor may remove the documents
  they uploaded themselves;
- milestones: editor members of the pilot organisation create, edit, delete and reorder them;
  contributors (editors of the pilot or of a partner organisation) mark one done with a note;
- funding lines: editor members of the pilot organisation enter what was spent (réalisé); the
  funder's decision, the amount granted and what was paid (versé) are entered by staff only;
- readers change nothing;
- COPIL decisions: members of the owner organisation see a decision in the partner space, its
  editor members update its follow-up (status, status date, note).
Anyone who may not view an object is answered 404, never 403, so nothing reveals that it exists.
"""

from dataclasses import dataclass

from django.db.models import Case, OuterRef, Q, Subquery, When

from partners.models import Membership

EDITOR = Membership.Role.EDITOR


# --------------------------------------------------------------------------- queryset scoping
# The rules as filters on actions, read by `ActionQuerySet.of_user` and `.editable_by`.


def member_of_action(user):
    """Actions whose pilot or partner organisations count `user` as a member (any role)."""
    return Q(pilot__memberships__user=user) | Q(partners__memberships__user=user)


def editor_of_pilot(user):
    """Actions whose fiche `user` edits: editor of the pilot organisation."""
    return Q(pilot__memberships__user=user, pilot__memberships__role=EDITOR)


def editor_memberships(organisations):
    """The memberships of active users who may edit for `organisations` (reminders go there)."""
    return Membership.objects.filter(
        organisation__in=organisations, role=EDITOR, user__is_active=True
    )


def role_annotations(user):
    """`pilot_role` and `partner_role` of `user` on each action (the strongest one), as
    subqueries: what `ActionAccess` needs, for a whole list in one query."""
    pilot_role = (
        Membership.objects.filter(user=user, organisation=OuterRef("pilot"))
        .order_by()
        .values("role")[:1]
    )
    partner_role = (
        Membership.objects.filter(user=user, organisation__partner_actions=OuterRef("pk"))
        .annotate(is_editor=Case(When(role=EDITOR, then=0), default=1))
        .order_by("is_editor")
        .values("role")[:1]
    )
    return {"pilot_role": Subquery(pilot_role), "partner_role": Subquery(partner_role)}


# --------------------------------------------------------------------------- one action


@dataclass(frozen=True)
class ActionAccess:
    """What one user may do on one action, computed with one query."""

    is_staff: bool = False
    pilot_role: str | None = None
    partner_role: str | None = None

    @property
    def is_member(self):
        return self.pilot_role is not None or self.partner_role is not None

    @property
    def can_view(self):
        return self.is_staff or self.is_member

    @property
    def can_edit(self):
        return self.is_staff or self.pilot_role == EDITOR

    @property
    def can_contribute(self):
        return self.can_edit or self.partner_role == EDITOR

    @property
    def label(self):
        """The user's role on the action, in French."""
        if self.pilot_role:
            return "Pilote — " + ("contributeur" if self.pilot_role == EDITOR else "lecteur")
        if self.partner_role:
            return "Partenaire — " + ("contributeur" if self.partner_role == EDITOR else "lecteur")
        return "Équipe projet" if self.is_staff else ""


def action_access(user, action):
    """The user's access to `action`, cached on the action for the rest of the request."""
    if not user.is_authenticated or not user.is_active:
        return ActionAccess()
    cache = action.__dict__.setdefault("_access_cache", {})
    if user.pk not in cache:
        rows = Membership.objects.filter(user=user).filter(
            Q(organisation_id=action.pilot_id) | Q(organisation__partner_actions=action)
        )
        pilot_role = partner_role = None
        for organisation_id, role in rows.values_list("organisation_id", "role").distinct():
            if organisation_id == action.pilot_id:
                pilot_role = EDITOR if EDITOR in (pilot_role, role) else role
            else:
                partner_role = EDITOR if EDITOR in (partner_role, role) else role
        cache[user.pk] = ActionAccess(user.is_staff, pilot_role, partner_role)
    return cache[user.pk]


def can_edit_action(user, action):
    return action_access(user, action).can_edit


def can_contribute(user, action):
    """Progress notes, indicator measurements and document uploads."""
    return action_access(user, action).can_contribute


def can_change_status_in_note(user, action):
    """A progress note changes status and progress only for those who may edit the fiche."""
    return can_edit_action(user, action)


def can_upload_documents(user, action):
    return can_contribute(user, action)


def can_record_spending(user, action):
    """What a funding line of `action` spent (réalisé, with its date): editors of the pilot
    organisation, and staff. The funder's decision and what it paid (versé) are staff's only,
    in the admin."""
    return can_edit_action(user, action)


def can_manage_milestones(user, action):
    """Create, edit, delete and reorder an action's milestones: pilot editors and staff."""
    return can_edit_action(user, action)


def can_mark_milestone_done(user, action):
    """Mark a milestone done with a note: pilot and partner editors, and staff."""
    return can_contribute(user, action)


def can_view_document(user, document):
    """Downloads: public documents of public actions or meetings for everyone, the rest scoped."""
    from .models import Document

    if user.is_authenticated and user.is_active and user.is_staff:
        return True
    visibility = document.visibility
    if visibility == Document.Visibility.STAFF:
        return False
    if document.action_id:
        action = document.action
        if visibility == Document.Visibility.PUBLIC and action.is_visible_to_public:
            return True
        return action_access(user, action).is_member
    if document.meeting_id:
        meeting = document.meeting
        if visibility == Document.Visibility.PUBLIC:
            return meeting.is_public
        # "Partners" documents of a meeting: members of the organisations that attended it.
        return (
            user.is_authenticated
            and user.is_active
            and Membership.objects.filter(user=user, organisation__copil_meetings=meeting).exists()
        )
    return False


def can_remove_document(user, document):
    """Pilot editors and staff remove any document they see; a contributor removes their own."""
    if document.action_id is None or not can_view_document(user, document):
        return False
    action = document.action
    if can_edit_action(user, action):
        return True
    return (
        document.uploaded_by_id is not None
        and document.uploaded_by_id == user.pk
        and can_contribute(user, action)
    )


# --------------------------------------------------------------------------- COPIL decisions


def _active(user):
    return user.is_authenticated and user.is_active


def decisions_of_user(user, queryset):
    """The decisions `user` sees in the partner space: all for staff, else those whose owner
    organisation counts `user` as a member (any role). Twin: `can_view_decision`."""
    if not _active(user):
        return queryset.none()
    if user.is_staff:
        return queryset
    return queryset.filter(owner__memberships__user=user)


def decisions_editable_by(user, queryset):
    """The decisions whose follow-up `user` updates: all for staff, else those of which `user`
    is an editor member of the owner organisation. Twin: `can_update_decision`."""
    if not _active(user):
        return queryset.none()
    if user.is_staff:
        return queryset
    return queryset.filter(owner__memberships__user=user, owner__memberships__role=EDITOR)


def _decision_role(user, decision):
    if decision.owner_id is None:
        return None
    cache = decision.__dict__.setdefault("_role_cache", {})
    if user.pk not in cache:
        cache[user.pk] = (
            Membership.objects.filter(user=user, organisation_id=decision.owner_id)
            .values_list("role", flat=True)
            .first()
        )
    return cache[user.pk]


def can_view_decision(user, decision):
    if not _active(user):
        return False
    return user.is_staff or _decision_role(user, decision) is not None


def can_update_decision(user, decision):
    """Status, status date and follow-up note: editors of the owner organisation, and staff."""
    if not _active(user):
        return False
    return user.is_staff or _decision_role(user, decision) == EDITOR
