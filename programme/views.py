from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("Page en construction.")


territory = intercommunality = axis = copil_list = copil_detail = news_list = news_detail = _todo
