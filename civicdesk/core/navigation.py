"""The site's navigation: the public links, and the staff menus grouped by kind of work.

A staff link shows only to those who may open its page. Who may is not listed here a second
time: a link takes the rule of its view's `staff_view` guard (`access_rule`), or, where the
view checks access inside, the app's own access helper named on the link. A test opens
every link as every role, so a link and its page cannot disagree.

The menus are built once per request, from the rules alone (no query per link: a rule reads
the user's role and unit, which the request has loaded already).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import User
from civicdesk.commitments.access import is_reader as reads_commitments
from civicdesk.ledgers.access import can_use_ledgers
from civicdesk.problems.access import can_read as reads_problems
from civicdesk.reports.workflow import Ledger, may_handle

Rule = Callable[[User], bool]


@dataclass(frozen=True)
class Link:
    url_name: str
    label: Promise
    # The access helper, only where the view checks access inside instead of in its guard.
    rule: Rule | None = None
    query: str = ""


@dataclass(frozen=True)
class Group:
    key: str
    label: Promise
    links: tuple[Link, ...]


def _django_admin(user: User) -> bool:
    return user.is_active and user.is_staff


def _reads_inaction_reports(user: User) -> bool:
    return user.is_staff_member and may_handle(user.role, Ledger.INACTION)


def _reads_intermediary_reports(user: User) -> bool:
    return user.is_staff_member and may_handle(user.role, Ledger.INTERMEDIARY)


PUBLIC_LINKS = (
    Link("public:report", _("Report a problem")),
    Link("public:track", _("Track")),
    Link("public:answered", _("Answers")),
    Link("commitments:public_list", _("Commitments")),
    Link("applications:index", _("Online service hall")),
    Link("catalogue:list", _("Service catalogue")),
    Link("knowledge:search", _("Ask before you go")),
    Link("ledgers:utilities", _("Utility standards")),
    Link("dashboard:public", _("How we are doing")),
)

STAFF_GROUPS = (
    Group(
        "work",
        _("Work"),
        (
            # The plain inbox: /staff/ without a query is each role's landing page.
            Link("staff:inbox", _("Inbox"), query="?status=default"),
            Link("staff:record", _("Record an opinion")),
            Link("staff:work_orders", _("Work orders")),
            Link("supervision:queue", _("Supervision")),
            Link("evaluation:visits", _("Return visits")),
            Link("knowledge:staff_list", _("Knowledge base")),
            Link("reports:inaction_list", _("Misconduct reports"), rule=_reads_inaction_reports),
            Link(
                "reports:intermediary_list",
                _("Intermediary reports"),
                rule=_reads_intermediary_reports,
            ),
            Link("integrity:index", _("Integrity signals")),
        ),
    ),
    Group(
        "problems",
        _("Problems and promises"),
        (
            Link("problems:list", _("Problem list")),
            Link("commitments:staff_due", _("Due measures"), rule=reads_commitments),
            Link("bulletins:bulletin", _("Bulletins"), rule=reads_problems),
        ),
    ),
    Group(
        "ledgers",
        _("Ledgers"),
        (
            Link("ledgers:promises", _("Broken promises to enterprises"), rule=can_use_ledgers),
            Link("ledgers:backlog", _("Enterprise-related case backlog"), rule=can_use_ledgers),
            Link("ledgers:utilities_manage", _("Utility service disclosure"), rule=can_use_ledgers),
        ),
    ),
    Group(
        "evaluation",
        _("Evaluation"),
        (
            Link("dashboard:index", _("Dashboard")),
            Link("evaluation:index", _("Unit appraisal")),
            Link("evaluation:my_unit", _("My unit's rates")),
            Link("appraisal:index", _("Appraisal scores")),
            Link("evaluation:monthly", _("Monthly appraisal report")),
            Link("ratings:staff_index", _("Window ratings")),
            Link("evaluation:praise", _("Praise")),
            Link("training:index", _("Training")),
        ),
    ),
    Group(
        "channels",
        _("Channels"),
        (
            Link("imports:index", _("Import messages")),
            Link("questionnaires:index", _("Questionnaires")),
            Link("applications:staff_list", _("Applications")),
            Link("catalogue:staff", _("Service figures")),
            Link("notifications:outbox", _("Outgoing messages")),
        ),
    ),
    Group(
        "admin",
        _("Administration"),
        (
            Link("appraisal:schemes", _("Appraisal scheme")),
            Link("evaluation:visit_rules", _("Sampling rules")),
            Link("admin:index", _("Site administration"), rule=_django_admin),
        ),
    ),
)


@cache
def _target(url_name: str) -> tuple[str, Rule | None] | None:
    """The link's path and the rule of the view it opens; None while no such page exists
    (an app being added: its link appears with its URL)."""
    try:
        path = reverse(url_name)
    except NoReverseMatch:
        return None
    return path, getattr(resolve(path).func, "access_rule", None)


@receiver(setting_changed)
def _forget_targets(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _target.cache_clear()


@dataclass
class MenuLink:
    label: Promise
    href: str
    path: str
    current: str = ""  # "page" on the page itself, "true" on a page below it


@dataclass
class MenuGroup:
    key: str
    label: Promise
    links: list[MenuLink] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


@dataclass
class Menus:
    public: list[MenuLink]
    staff: list[MenuGroup]


def _menu_link(link: Link, user: User | None) -> MenuLink | None:
    target = _target(link.url_name)
    if target is None:
        return None
    path, view_rule = target
    rule = link.rule or view_rule
    if rule is not None and (user is None or not rule(user)):
        return None
    return MenuLink(label=link.label, href=path + link.query, path=path)


def _mark_current(links: list[MenuLink], path: str) -> None:
    """Mark the link of this page, or else the deepest link whose page this one is under."""
    exact = [link for link in links if link.path == path]
    if exact:
        for link in exact:
            link.current = "page"
        return
    above = [link for link in links if link.path != "/" and path.startswith(link.path)]
    if above:
        deepest = max(len(link.path) for link in above)
        for link in above:
            if len(link.path) == deepest:
                link.current = "true"


def menus_for(request: HttpRequest) -> Menus:
    """The request's menus, built on first use and kept on the request."""
    menus = getattr(request, "_civicdesk_menus", None)
    if menus is not None:
        return menus
    user = getattr(request, "user", None)
    staff = user if user is not None and user.is_authenticated and user.is_staff_member else None
    public = [link for link in (_menu_link(each, None) for each in PUBLIC_LINKS) if link]
    groups = []
    if staff is not None:
        for group in STAFF_GROUPS:
            links = [link for link in (_menu_link(each, staff) for each in group.links) if link]
            if links:
                groups.append(MenuGroup(group.key, group.label, links))
        _mark_current([link for group in groups for link in group.links], request.path)
    _mark_current(public, request.path)
    menus = Menus(public=public, staff=groups)
    request._civicdesk_menus = menus
    return menus
