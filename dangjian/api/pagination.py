from rest_framework.pagination import CursorPagination

class DefaultPagination(CursorPagination):
    ordering = ("id",)
