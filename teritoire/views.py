from django.shortcuts import render

from programme.models import Territory


def home(request):
    """Placeholder until the public site lands: the base layout and the territory's name."""
    territory = Territory.objects.first()
    return render(request, "home.html", {"territory": territory})
