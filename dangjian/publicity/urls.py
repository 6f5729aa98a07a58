from django.urls import path

from . import public_views as pv
from . import views as v

urlpatterns = [
    # public (no login), rate-limited and cached
    path("public/", pv.public_index, name="publicity-public-index"),
    path("public/org/<int:pk>/", pv.public_board, name="publicity-public-board"),
    path("public/org/<int:pk>/<slug:board>/", pv.public_board, name="publicity-public-board-tab"),
    path("public/notice/<int:pk>/", pv.public_notice, name="publicity-public-notice"),
    path("public/notice/<int:pk>/v<int:number>/", pv.public_notice, name="publicity-public-version"),
    path("public/file/<int:pk>/", pv.public_attachment, name="publicity-public-file"),
    path("public/honours/", pv.public_honours, name="publicity-public-honours"),
    # staff
    path("", v.home, name="publicity-home"),
    path("org/<int:pk>/", v.org_board, name="publicity-org"),
    path("org/<int:pk>/new/", v.notice_create, name="publicity-create"),
    path("notice/<int:pk>/", v.notice_detail, name="publicity-notice"),
    path("notice/<int:pk>/edit/", v.notice_edit, name="publicity-edit"),
    path("notice/<int:pk>/submit/", v.notice_submit, name="publicity-submit"),
    path("notice/<int:pk>/approve/", v.notice_approve, name="publicity-approve"),
    path("notice/<int:pk>/return/", v.notice_reject, name="publicity-reject"),
    path("notice/<int:pk>/withdraw/", v.notice_withdraw, name="publicity-withdraw"),
    path("file/<int:pk>/", v.attachment, name="publicity-file"),
    path("honours/", v.honour_list, name="publicity-honours"),
    path("honours/org/<int:pk>/select/", v.honour_select, name="publicity-honour-select"),
    path("honours/<int:pk>/withdraw/", v.honour_withdraw, name="publicity-honour-withdraw"),
]
