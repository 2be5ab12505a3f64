from app.ui.placeholder import coming_soon

coming_soon("compare")
