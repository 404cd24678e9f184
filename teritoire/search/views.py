"""The search page, `/recherche/?q=`: every kind's first results with their count, or one kind's
results page by page (`type=`), or suggestions when nothing is found."""

from django.core.paginator import Paginator
from django.shortcuts import render

from teritoire.pagecache import cache_params, do_not_store

from . import terms
from .kinds import BY_KEY, KINDS
from .suggestions import suggestions

PER_KIND = 5  # results shown for each kind on the first page
PER_PAGE = 20  # on a kind's own pages


def _groups(query):
    groups = []
    for kind in KINDS:
        results, total = kind.found(query, 0, PER_KIND)
        if total:
            more_url = kind.more_url(query) if total > len(results) else ""
            groups.append({"kind": kind, "results": results, "total": total, "more_url": more_url})
    return groups


def _kind_page(kind, query, number):
    """One page of one kind: the count and the page's rows (two queries)."""
    paginator = Paginator(kind.rows(query), PER_PAGE)
    page = paginator.get_page(number)
    results = [kind.present(row, query) for row in page.object_list]
    return page, {"kind": kind, "results": results, "total": paginator.count}


@cache_params("type", "page", free_text=("q",))
def search(request):
    query = terms.parse(request.GET.get("q", ""))
    kind = BY_KEY.get(request.GET.get("type", ""))
    # Only the bare page is worth keeping (a typed search is never kept, see cache_params):
    # an unknown kind or a page number without a search would only fill the cache.
    if (request.GET.get("type") and kind is None) or "page" in request.GET:
        do_not_store(request)
    context = {"query": query, "kind": kind, "groups": [], "page": None, "suggestions": []}
    if query and kind is not None:
        page, group = _kind_page(kind, query, request.GET.get("page"))
        context.update(page=page, groups=[group] if group["total"] else [])
    elif query:
        context["groups"] = _groups(query)
    context["total"] = sum(group["total"] for group in context["groups"])
    if request.GET.get("q", "").strip() and not context["total"]:
        context["suggestions"] = suggestions()
    return render(request, "search/results.html", context)
