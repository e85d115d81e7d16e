from ninja import Router

router = Router(tags=["Registre des systèmes d'IA"])
