"""Admin URLs of the publishing dashboard (mounted under /admin/publishing/)."""

from django.urls import path

from publishing import menu_rollout, views

app_name = "publishing"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("batches/<int:pk>/", views.BatchView.as_view(), name="batch"),
    path("items/<int:content_type>/<str:pk>/", views.ItemBatchView.as_view(), name="item_batch"),
    path("batches/<int:pk>/progress.json", views.BatchProgressView.as_view(), name="batch_progress"),
    path("runs/<str:key>/progress.json", views.RunProgressView.as_view(), name="run_progress"),
    path("publications/<int:pk>/", views.PublicationView.as_view(), name="publication"),
    path("publications/<int:pk>/<str:action>/", views.PublicationActionView.as_view(), name="publication_action"),
    path("deliveries/", views.DeliveriesView.as_view(), name="deliveries"),
    path("deliveries/<int:pk>/", views.DeliveryView.as_view(), name="delivery"),
    path("deliveries/<int:pk>/<str:action>/", views.DeliveryActionView.as_view(), name="delivery_action"),
    path("accounts/<int:pk>/<str:action>/", views.ResumeAccountView.as_view(), name="account_action"),
    path("accounts/<int:pk>/drift/<str:action>/", views.DriftActionView.as_view(), name="drift_action"),
    path("menus/accounts/<int:account_pk>/", menu_rollout.effective_menu, name="effective_menu"),
    path("menus/<int:pk>/rollout/", menu_rollout.menu_rollout, name="menu_rollout"),
    path("menus/<int:pk>/rollout/<int:account_pk>/", menu_rollout.account_menu, name="menu_rollout_account"),
]
