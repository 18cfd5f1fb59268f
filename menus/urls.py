"""Admin URLs of menus, mounted under /admin/menus/ by wagtail_hooks."""

from django.urls import path

from menus.views import editor, schedule, simulator, versions

app_name = "menus_admin"

urlpatterns = [
    path("<int:pk>/tree/", editor.tree_editor, name="tree_editor"),
    path("<int:pk>/tree/ops/", editor.tree_ops, name="tree_ops"),
    path("<int:pk>/publish/", editor.publish_menu, name="publish"),
    path("<int:pk>/schedule/", schedule.schedule_menu, name="schedule"),
    path("<int:pk>/unschedule/", schedule.unschedule_menu, name="unschedule"),
    path("<int:pk>/versions/", versions.versions, name="versions"),
    path("<int:pk>/versions/<int:number>/rollback/", versions.rollback_version, name="rollback"),
    path("simulator/", simulator.simulator, name="simulator"),
]
