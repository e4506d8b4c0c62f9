urlpatterns: list = []  # filled by the notifications module (in-app inbox API)
