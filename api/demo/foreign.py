"""Sentence material for the few demo articles not written in English.

Same slots as ``phrases``; only ``{n}`` and ``{k}`` are filled at pool-building time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Foreign:
    """A small pool for the few articles written in another language (sentiment-neutral)."""

    titles: tuple[str, ...]
    sentences: tuple[str, ...]
    takeaways: tuple[str, ...]


FOREIGN: dict[str, Foreign] = {
    "de": Foreign(
        (
            "{a} legt um {n} Prozent zu",
            "{a} unter Druck: {b} reagiert",
            "Was die Entscheidung von {a} für {b} bedeutet",
            "{a} kündigt neue Pläne an",
        ),
        (
            "{A} hat neue Zahlen vorgelegt, die von Analysten genau beobachtet werden.",
            "Nach Angaben von Marktbeobachtern reagierte {B} zunächst zurückhaltend.",
            "Die Entwicklung dürfte auch für {C} Folgen haben.",
            "Innerhalb von {k} Wochen werden weitere Details erwartet.",
            "Mehrere Investoren sehen in der Entscheidung einen Wendepunkt für die Branche.",
            "Kritiker warnen dagegen vor steigenden Kosten und wachsender Unsicherheit.",
            "Im Vergleich zum Vorjahr stieg die Aktivität um rund {n} Prozent.",
            "Ob {A} das Tempo halten kann, bleibt vorerst offen.",
            "Die Reaktion von {B} gilt als erster Test für die neue Strategie.",
            "Langfristig orientierte Anleger bleiben vorerst gelassen.",
        ),
        (
            "{A} steht im Mittelpunkt der Entwicklung.",
            "{B} ist besonders betroffen.",
            "Weitere Details folgen in {k} Wochen.",
            "Die Unsicherheit bleibt hoch.",
            "Analysten sehen Chancen und Risiken.",
        ),
    ),
    "fr": Foreign(
        (
            "{a} progresse de {n} %",
            "{a} sous pression face à {b}",
            "Ce que la décision de {a} change pour {b}",
            "{a} dévoile de nouveaux projets",
        ),
        (
            "{A} a publié de nouveaux chiffres, suivis de près par les analystes.",
            "Selon plusieurs observateurs, {B} a réagi avec prudence.",
            "Cette évolution pourrait aussi avoir des conséquences pour {C}.",
            "De nouveaux détails sont attendus d'ici {k} semaines.",
            "Plusieurs investisseurs y voient un tournant pour le secteur.",
            "Les critiques mettent en garde contre la hausse des coûts et l'incertitude.",
            "Sur un an, l'activité a progressé d'environ {n} %.",
            "Reste à savoir si {A} pourra maintenir ce rythme.",
            "La réaction de {B} sera un premier test pour la nouvelle stratégie.",
            "Les investisseurs de long terme restent sereins pour l'instant.",
        ),
        (
            "{A} est au cœur de l'actualité.",
            "{B} est particulièrement exposé.",
            "De nouveaux détails sont attendus d'ici {k} semaines.",
            "L'incertitude reste élevée.",
            "Les analystes voient des opportunités et des risques.",
        ),
    ),
    "es": Foreign(
        (
            "{a} sube un {n} %",
            "{a}, bajo presión frente a {b}",
            "Qué significa la decisión de {a} para {b}",
            "{a} presenta nuevos planes",
        ),
        (
            "{A} publicó nuevas cifras que los analistas siguen de cerca.",
            "Según varios observadores, {B} reaccionó con cautela.",
            "La evolución también podría tener consecuencias para {C}.",
            "Se esperan más detalles en un plazo de {k} semanas.",
            "Varios inversores ven en la decisión un punto de inflexión para el sector.",
            "Los críticos advierten sobre el aumento de los costes y la incertidumbre.",
            "En comparación con el año anterior, la actividad creció alrededor de un {n} %.",
            "Queda por ver si {A} podrá mantener este ritmo.",
            "La reacción de {B} será una primera prueba para la nueva estrategia.",
            "Los inversores a largo plazo mantienen la calma por ahora.",
        ),
        (
            "{A} está en el centro de la noticia.",
            "{B} es el más expuesto.",
            "Se esperan más detalles en {k} semanas.",
            "La incertidumbre sigue siendo alta.",
            "Los analistas ven oportunidades y riesgos.",
        ),
    ),
}
