from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("Page en construction.")


dashboard = document_download = _todo
