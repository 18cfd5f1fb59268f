import django.db.models.deletion
from django.db import migrations, models


def keep_typed_tags(apps, schema_editor):
    """Tag ids typed by hand on brand variants become the platform's follower tags,
    so their conditional menus keep matching the followers already tagged."""
    Menu = apps.get_model("menus", "Menu")
    FollowerTag = apps.get_model("menus", "FollowerTag")
    for menu in Menu.objects.filter(brand__isnull=False).exclude(match_tag_id=""):
        if menu.match_tag_id.strip().isdigit():
            FollowerTag.objects.get_or_create(account_id=menu.account_id, brand_id=menu.brand_id,
                                              defaults={"tag_id": int(menu.match_tag_id)})


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0003_editorial_workflow_and_business_dates'),
        ('menus', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='FollowerTag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tag_id', models.PositiveIntegerField(verbose_name='微信用户标签ID')),
                ('name', models.CharField(blank=True, max_length=64, verbose_name='标签名')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follower_tags', to='content.channelaccount', verbose_name='渠道账号')),
                ('brand', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='content.brand', verbose_name='品牌')),
            ],
            options={
                'verbose_name': '粉丝标签',
                'verbose_name_plural': '粉丝标签',
                'ordering': ['account', 'brand'],
                'constraints': [models.UniqueConstraint(fields=('account', 'brand'), name='menus_one_tag_per_brand_account')],
            },
        ),
        migrations.RunPython(keep_typed_tags, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='menu',
            name='match_tag_id',
        ),
    ]
