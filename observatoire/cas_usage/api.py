from ninja import Router

router = Router(tags=["Cas d'usage"])
