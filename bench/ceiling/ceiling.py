"""The ceiling of `make bench`: plain Django 5.2 as `startproject` makes it (its apps, its
standard middleware) with one view that answers two bytes, served by the same gunicorn settings
as the portal. What no page of the portal can beat on this machine.

Settings, URLs and WSGI application in one module: DJANGO_SETTINGS_MODULE=ceiling,
`gunicorn -c ../../gunicorn.conf.py ceiling:application` from this folder.
"""

from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

SECRET_KEY = "throw-away-secret-key-of-the-ceiling-" + "x" * 30
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = __name__
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
# The view reads no row; a database is declared as startproject declares one.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
STATIC_URL = "static/"
USE_TZ = True


def two_bytes(request):
    return HttpResponse(b"ok")


urlpatterns = [path("", two_bytes)]
application = get_wsgi_application()
