"""The REST door: Starlette routes translating HTTP to domain calls and back."""
