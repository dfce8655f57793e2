"""The 10 « avant → après » rewrites of falc.md §6, verbatim."""

from __future__ import annotations

AVANT_APRES: list[tuple[str, str, str]] = [
    (
        "Rôle de la CDU",
        "La commission des usagers (CDU) veille au respect des droits des usagers et contribue "
        "à l'amélioration de la qualité de l'accueil des personnes malades et de leurs proches "
        "et de la prise en charge.",
        "La commission des usagers est un groupe de l'hôpital.\n"
        "Elle défend vos droits à l'hôpital.\n"
        "Elle aide l'hôpital à mieux vous accueillir.",
    ),
    (
        "Écrire une plainte",
        "Tout usager peut adresser une réclamation écrite au représentant légal de "
        "l'établissement, lequel y répond dans les meilleurs délais en l'avisant de la "
        "possibilité de saisir un médiateur.",
        "Vous voulez faire une plainte ?\n"
        "Écrivez une lettre au directeur de l'hôpital.\n"
        "Vous pouvez aussi demander de l'aide pour écrire.\n"
        "Le directeur vous répond dès que possible.",
    ),
    (
        "Le médiateur",
        "Le médiateur, saisi par le représentant légal de l'établissement, rencontre l'auteur "
        "de la réclamation dans les huit jours suivant sa saisine.",
        "Vous pouvez rencontrer un médiateur.\n"
        "Le médiateur est une personne de l'hôpital.\n"
        "Il écoute votre problème.\n"
        "Il cherche une solution avec vous.\n"
        "Il vous propose un rendez-vous dans les 8 jours.",
    ),
    (
        "Être accompagné",
        "L'auteur de la plainte est informé qu'il peut se faire accompagner, pour la rencontre "
        "avec le médiateur, d'un représentant des usagers membre de la commission.",
        "Vous pouvez venir avec un représentant des usagers.\n"
        "C'est une personne bénévole.\n"
        "Elle défend les droits des patients.\n"
        "Elle vient avec vous au rendez-vous avec le médiateur.",
    ),
    (
        "Convocation",
        "La prochaine séance plénière du CLSM se tiendra le 14/03/2028 à 14h00 en salle du "
        "conseil de l'Hôtel de Ville ; les participants sont priés de confirmer leur présence.",
        "📅 Rappel : réunion du conseil local de santé mentale.\n"
        "Ce conseil réunit des élus, des soignants et des usagers.\n"
        "Mardi 14 mars 2028, à 14 heures.\n"
        "Adresse : mairie, salle du conseil.\n"
        "Vous pouvez venir avec une personne de votre choix.",
    ),
    (
        "Appel à participation",
        "Dans le cadre de la mise en œuvre du PTSM, les usagers sont conviés à participer aux "
        "groupes de travail thématiques afin de contribuer à l'élaboration des fiches-actions.",
        "Le projet territorial de santé mentale cherche des idées.\n"
        "C'est un plan pour améliorer la santé mentale près de chez vous.\n"
        "Des groupes de travail préparent ce plan.\n"
        "Vous pouvez participer à un groupe.\n"
        "Votre expérience est utile.",
    ),
    (
        "Compte rendu",
        "Lors du CoPil de la CSSM du 15/06, les FA de l'axe 4 ont été validées sous réserve de "
        "l'arbitrage de la DD ARS.",
        "Compte rendu de la réunion du jeudi 15 juin 2028.\n"
        "Les responsables du projet ont choisi des actions pour les crises.\n"
        "L'agence régionale de santé doit encore donner son accord.",
    ),
    (
        "Données personnelles",
        "Les données à caractère personnel recueillies font l'objet d'un traitement "
        "pseudonymisé et sont conservées pour une durée n'excédant pas trente jours.",
        "Nous enlevons votre nom avant de partager votre avis.\n"
        "Nous gardons votre message 30 jours au maximum.\n"
        "Ensuite, nous effaçons votre message.",
    ),
    (
        "Parler pour quelqu'un",
        "Le pair-aidant qui transmet le témoignage d'un tiers doit préalablement recueillir le "
        "consentement explicite de la personne concernée.",
        "Vous écrivez pour une autre personne ?\n"
        "Demandez d'abord son accord.\n"
        "Son accord est nécessaire pour chaque envoi.\n"
        "Elle peut aussi nous écrire elle-même.",
    ),
    (
        "Urgences",
        "Ce service n'a pas vocation à traiter les situations d'urgence ; en cas de danger "
        "immédiat, il convient de contacter les services de secours compétents.",
        "Ce robot sert à donner votre avis.\n"
        "Pour une urgence, appelez le 15 ou le 112.\n"
        "Pour parler à quelqu'un tout de suite, appelez le 3114.\n"
        "C'est gratuit, jour et nuit.",
    ),
]
