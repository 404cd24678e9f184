from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("Page en construction.")


action_list = action_detail = open_data = _todo
