"""Reporting (any member, for what they can see), the moderators' report queue and dashboard."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stepdown.accounts.standing import is_suspended
from stepdown.core import ratelimit
from stepdown.core.pagination import page_numbers
from stepdown.forum.views import refused_page

from . import actions, queries, targets
from .forms import NoteForm, QueueFilterForm, ReportForm, ResolveForm
from .models import Report, TargetType
from .permissions import can_moderate, can_report, has_moderator_role, require_report_type


@require_http_methods(["GET", "POST"])
@login_required
def report(request: HttpRequest, target_type: str, target_id: int) -> HttpResponse:
    """Report something to the moderators: what is wrong, and a few words if wanted."""
    user = request.user
    target = targets.reportable(user, require_report_type(target_type), target_id)
    back = target.url or "/"
    if not can_report(user):  # pragma: no cover - inactive accounts cannot sign in
        raise Http404("Nothing to report here.")
    if target.author_id == user.pk:
        return refused_page(
            request,
            title=_("This is yours"),
            message=_(
                "You can't report your own writing or page. If you want something of yours "
                "changed or removed, you can edit it, or write to a moderator."
            ),
            back=back,
            kept=request.POST.get("details", ""),
        )
    if queries.has_open_report(user, target.type, target.id):
        messages.info(
            request,
            _(
                "You reported this already, and the moderators have it. "
                "Thank you: there is nothing more you need to do."
            ),
        )
        return redirect(back)
    form = ReportForm(request.POST or None)
    context = {"target": target, "form": form, "back": back}
    if request.method == "GET":
        return render(request, "moderation/report.html", context)
    if not form.is_valid():
        return render(request, "moderation/report.html", context, status=400)
    verdict = ratelimit.hit(request, "report")
    if not verdict.allowed:
        response = render(
            request,
            "moderation/report.html",
            {**context, "retry_minutes": verdict.retry_minutes},
            status=429,
        )
        response["Retry-After"] = str(verdict.retry_after)
        return response
    actions.file_report(
        user,
        target_type=target.type,
        target_id=target.id,
        target_author_id=target.author_id,
        reason=form.cleaned_data["reason"],
        details=form.cleaned_data["details"],
    )
    messages.success(
        request,
        _("Thank you. The moderators will look at it. The member is not told who reported them."),
    )
    return redirect(back)


def refuse_unless_moderator(request: HttpRequest) -> HttpResponse | None:
    """None for a global moderator or admin with two-factor sign-in; members get a 404
    (nothing for them here), a suspended moderator a page saying the tools are closed until the
    suspension ends, moderators still without two-factor sign-in a page saying how to get it."""
    user = request.user
    if can_moderate(user):
        return None
    if not has_moderator_role(user):
        raise Http404("No such page.")
    if is_suspended(user):
        return refused_page(
            request,
            title=_("Moderating is paused"),
            message=_(
                "Your account is suspended, so the moderators' tools are closed to you until it "
                "ends. Another moderator or an admin can help in the meantime."
            ),
            back="/",
            kept=request.POST.get("reason", ""),
        )
    return render(request, "moderation/needs_two_factor.html", status=403)


def refuse_sanction(request: HttpRequest, *, back: str) -> HttpResponse:
    """The calm refusal for an account ``permissions.can_sanction`` keeps out of reach (warning,
    suspending, banning, lifting, trust levels alike), the typed reason kept."""
    return refused_page(
        request,
        title=_("Not for this account"),
        message=_(
            "Nobody warns, suspends, bans, lifts a sanction of or sets the trust level of "
            "themselves or an admin, and only admins do it to another moderator."
        ),
        back=back,
        kept=request.POST.get("reason", ""),
    )


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """What waits for the moderators, the newest safety alerts and the latest actions: a fixed
    number of queries however much there is."""
    refused = refuse_unless_moderator(request)
    if refused is not None:
        return refused
    return render(
        request,
        "moderation/dashboard.html",
        {
            "sizes": queries.queue_sizes(request.user),
            "alerts": queries.recent_alerts(),
            "entries": queries.recent_audit_entries(),
        },
    )


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Reports as filtered (waiting ones by default, oldest first), each with what was
    reported: a fixed number of queries."""
    refused = refuse_unless_moderator(request)
    if refused is not None:
        return refused
    filters = QueueFilterForm(request.GET or None)
    chosen = filters.filters()
    reports_found = queries.queue_reports(**chosen, moderator=request.user)
    paginator = Paginator(reports_found, settings.STEPDOWN_TOPICS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    reports = list(page.object_list)
    found = targets.targets_for(reports)
    for item in reports:
        item.target = found.get((item.target_type, item.target_id))
    kept = {
        name: value
        for name, value in (
            ("status", chosen["status"] if chosen["status"] != queries.QUEUE_WAITING else ""),
            ("reason", chosen.get("reason", "")),
            ("type", chosen.get("target_type", "")),
        )
        if value
    }
    return render(
        request,
        "moderation/queue.html",
        {
            "filters": filters,
            "status": chosen["status"],
            "page": page,
            "reports": reports,
            "numbers": page_numbers(page.number, paginator.num_pages),
            "query": urlencode(kept) + "&" if kept else "",
            "filtered": bool(kept),
        },
    )


def _report_for_moderator(pk: int) -> Report:
    report = get_object_or_404(
        Report.objects.select_related("reporter", "target_author", "claimed_by", "resolved_by"),
        pk=pk,
    )
    report.target = targets.targets_for([report]).get((report.target_type, report.target_id))
    return report


def _detail(request, report: Report, *, form=None, note_form=None, status=200) -> HttpResponse:
    return render(
        request,
        "moderation/report_detail.html",
        {
            "report": report,
            "form": form or ResolveForm(target_type=report.target_type),
            "note_form": note_form or NoteForm(),
            "notes": list(report.notes.select_related("author")),
            "others": list(
                queries.open_reports_on(report.target_type, report.target_id)
                .exclude(pk=report.pk)
                .select_related("reporter")
            ),
            "message_type": TargetType.MESSAGE,
        },
        status=status,
    )


@require_GET
@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One report with the reported text in full: the way a moderator reads a reported
    message (and nothing else of its conversation); its notes; resolving it."""
    refused = refuse_unless_moderator(request)
    if refused is not None:
        return refused
    return _detail(request, _report_for_moderator(pk))


@require_POST
@login_required
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    refused = refuse_unless_moderator(request)
    if refused is not None:
        return refused
    report = actions.claim_report(get_object_or_404(Report, pk=pk), by=request.user)
    if report.claimed_by_id == request.user.pk:
        messages.success(request, _("You are looking at this report now."))
    return redirect("moderation:report_detail", pk=report.pk)


@require_POST
@login_required
def note(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a note to a report, for the other moderators."""
    refused = refuse_unless_moderator(request)
    if refused is not None:
        return refused
    report = get_object_or_404(Report, pk=pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, _report_for_moderator(pk), note_form=form, status=400)
    actions.add_note(report, by=request.user, text=form.cleaned_data["text"])
    messages.success(request, _("Your note is added."))
    return redirect("moderation:report_detail", pk=report.pk)


@require_POST
@login_required
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve a report, carrying out the chosen outcome (hide, remove, lock, warn, suspend)
    in the same step."""
    refused = refuse_unless_moderator(request)
    if refused is not None:
        return refused
    report = get_object_or_404(Report, pk=pk)
    form = ResolveForm(request.POST, target_type=report.target_type)
    if not form.is_valid():
        return _detail(request, _report_for_moderator(pk), form=form, status=400)
    data = form.cleaned_data
    resolution = actions.Resolution(
        outcome=data["outcome"],
        reason=data["reason"],
        note=data["note"],
        points=data.get("points") or 1,
        suspend_days=data.get("suspend_days"),
    )
    try:
        actions.resolve_report(report, by=request.user, resolution=resolution)
    except actions.OutcomeError as error:
        form.add_error("outcome", str(error))
        return _detail(request, _report_for_moderator(pk), form=form, status=400)
    messages.success(request, _("The report is resolved."))
    return redirect("moderation:queue")
