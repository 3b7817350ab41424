"""A URLconf that forgot to include security.urls."""

from django.contrib.auth import views as auth_views
from django.urls import path

from config.views import home

urlpatterns = [
    path("", home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
]
