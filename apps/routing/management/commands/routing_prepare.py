"""manage.py routing_prepare: export the ONNX encoder and encode every route (deploy step)."""

import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Build the encoder's runtime files and persist all utterance vectors now."

    def handle(self, *args: Any, **options: Any) -> None:
        from apps.routing.encoders import get_encoder
        from apps.routing.services import router_get

        started = time.perf_counter()
        encoder = get_encoder()
        self.stdout.write(f"encoder {encoder.key} ready in {time.perf_counter() - started:.1f}s")
        router = router_get(force=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"router ready: {len(router.index)} routes, {len(router.index.connectors)} "
                f"connectors, {time.perf_counter() - started:.1f}s"
            )
        )
