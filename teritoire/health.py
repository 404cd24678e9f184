from django.http import HttpResponse


def health(request):
    """A few bytes, no database: for load balancers, and the benchmark's ceiling."""
    return HttpResponse(b"ok", content_type="text/plain")
