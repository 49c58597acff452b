"""The footer pages ``mmsite new`` writes in each language as starting points: legal
notice, privacy, terms of sale, shipping and returns (``menu: footer``). Every line a
seller must fill in is marked ``[...]``; they are not legal advice."""

from __future__ import annotations

LEGAL_FILES: dict[str, str] = {
    "content/legal-notice.md": """\
---
title: Legal notice
menu: footer
weight: 40
---
**Publisher**: [company name, legal form], [street, postcode, city, country].
Registered at [register and number]. VAT number: [...].

**Contact**: [e-mail address], [telephone].

**Responsible for the content**: [name, address].

**Hosting**: [host's name and address].
""",
    "content/legal-notice.fr.md": """\
---
title: Mentions légales
slug: mentions-legales
---
**Éditeur** : [raison sociale, forme juridique], [adresse, code postal, ville, pays].
Immatriculée au [registre et numéro]. Numéro de TVA : [...].

**Contact** : [adresse e-mail], [téléphone].

**Directeur de la publication** : [nom].

**Hébergeur** : [nom et adresse de l’hébergeur].
""",
    "content/privacy.md": """\
---
title: Privacy
menu: footer
weight: 30
---
This site sets no cookies and runs no analytics of its own. [Change this if you add any.]

**Payments** are handled by our checkout provider ([Stripe, Shopify, Gumroad, ...]),
which receives what you enter there: name, address, e-mail and payment details. Its own
privacy policy applies: [link].

**Server logs**: our host ([name]) keeps technical logs (IP address, time, page) for
[...] days to keep the site secure.

**Your rights**: you may ask what we hold about you, have it corrected or deleted,
and complain to your data protection authority. Write to [e-mail address].
""",
    "content/privacy.fr.md": """\
---
title: Confidentialité
slug: confidentialite
---
Ce site ne dépose aucun cookie et ne mesure pas l’audience. [À modifier si vous en
ajoutez.]

**Les paiements** sont traités par notre prestataire ([Stripe, Shopify, Gumroad...]), qui
reçoit ce que vous y saisissez : nom, adresse, e-mail et moyen de paiement. Sa propre
politique de confidentialité s’applique : [lien].

**Journaux du serveur** : notre hébergeur ([nom]) conserve des journaux techniques
(adresse IP, heure, page) pendant [...] jours pour la sécurité du site.

**Vos droits** : vous pouvez savoir ce que nous détenons sur vous, le faire corriger ou
effacer, et saisir la CNIL ou l’autorité de votre pays. Écrivez à [adresse e-mail].
""",
    "content/terms.md": """\
---
title: Terms of sale
menu: footer
weight: 20
---
**Seller**: [company name and address] (see the legal notice).

**Prices** are shown in your market's currency; whether tax is included is said beside
each price. The price and taxes charged are those shown at checkout.

**Orders and payment** are taken by our checkout provider; the contract is made when the
payment is confirmed by e-mail.

**Delivery**: see shipping and returns.

**Right of withdrawal** (EU and UK customers): you may cancel within 14 days of delivery
without giving a reason; write to [e-mail address]. [Exceptions: personalised or
perishable goods ...]

**Disputes**: [applicable law, consumer mediation body].
""",
    "content/terms.fr.md": """\
---
title: Conditions générales de vente
slug: cgv
---
**Vendeur** : [raison sociale et adresse] (voir les mentions légales).

**Les prix** sont affichés dans la devise de votre marché ; chaque prix indique si les
taxes sont comprises. Le prix et les taxes facturés sont ceux affichés au paiement.

**Commande et paiement** : ils sont pris en charge par notre prestataire de paiement ; le
contrat est conclu à la confirmation du paiement par e-mail.

**Livraison** : voir livraison et retours.

**Droit de rétractation** : vous disposez de 14 jours après la livraison pour vous
rétracter sans motif ; écrivez à [adresse e-mail]. [Exceptions : biens personnalisés ou
périssables...]

**Litiges** : [droit applicable, médiateur de la consommation].
""",
    "content/shipping-returns.md": """\
---
title: Shipping and returns
menu: footer
weight: 10
---
**Shipping**: we ship to [countries] from [city, country]. Orders leave within
[1–2] working days; delivery takes [3–7] working days. Rates: [per market].

**Returns**: you may return an unused item within [30] days of delivery. Write to
[e-mail address] first; we refund the item's price within 14 days of receiving it.
Return shipping is [paid by us / by you].
""",
    "content/shipping-returns.fr.md": """\
---
title: Livraison et retours
slug: livraison-retours
---
**Livraison** : nous expédions vers [pays] depuis [ville, pays]. Les commandes partent
sous [1 à 2] jours ouvrés ; la livraison prend [3 à 7] jours ouvrés. Tarifs : [par
marché].

**Retours** : vous pouvez retourner un article non utilisé dans les [30] jours suivant la
livraison. Écrivez d’abord à [adresse e-mail] ; nous remboursons l’article dans les 14
jours suivant sa réception. Les frais de retour sont [à notre charge / à votre charge].
""",
}
