"""The page a list shows for any `?page=` a visitor sends: never a 404 for a page number.

A missing number is the first page; a number that is not one, or below 1, gives the first page
and a notice; a number past the end gives the last page and a notice. Used by the action plan
and the register of decisions.
"""


def forgiving_page(paginator, raw):
    """(page, notice) for the `page` parameter `raw` (notice "" when the number was valid)."""
    try:
        number = int(raw) if raw else 1
    except ValueError:
        number = 0
    if number < 1:
        return paginator.page(1), "Le numéro de page demandé n'est pas valide : voici la page 1."
    if number > paginator.num_pages:
        last = paginator.num_pages
        return paginator.page(
            last
        ), f"La page {number} n'existe pas : voici la dernière page ({last})."
    return paginator.page(number), ""
