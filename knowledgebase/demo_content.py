"""The demo help center's words: Harbor & Loom's categories and articles in English and Turkish.

Data only; ``knowledgebase.demo`` turns it into pages. An article's ``body`` is a list of
compact blocks, in the order they appear:

- ``("text", "<p>…</p>")``: rich text;
- ``("steps", [(title, text), …])``: numbered steps;
- ``("note", text)`` / ``("warning", text)``: a callout;
- ``("faq", [(question, answer), …])``: questions and answers.

``related`` names other articles by ``key``: the ones an editor chose to show under it.
The shop's policies are written once and kept consistent across articles: orders leave the
Istanbul workshop within two working days; standard delivery is £4.95 / ₺150, free over
£50 / ₺1.500; returns within 30 days of delivery, free for Silver and Gold members, else a
£3.95 / ₺60 label deducted from the refund; card refunds take 5 to 10 working days; points: 1
per £1 / ₺30, pending for 30 days, expiring 12 months after they were earned.
"""

HELP_CENTER = {
    "en": {
        "title": "Help center",
        "slug": "help",
        "intro": "Answers about orders, delivery, returns, payments and your rewards.",
    },
    "tr": {
        "title": "Yardım merkezi",
        "slug": "yardim",
        "intro": "Sipariş, teslimat, iade, ödeme ve puanlarınızla ilgili yanıtlar.",
    },
}

CATEGORIES = [
    {
        "key": "orders",
        "icon": "order",
        "en": {
            "title": "Orders",
            "slug": "orders",
            "summary": "Placing an order, changing or cancelling it, gift wrap and gift cards.",
        },
        "tr": {
            "title": "Siparişler",
            "slug": "siparisler",
            "summary": "Sipariş vermek, siparişi değiştirmek ya da iptal etmek, hediye paketi "
            "ve hediye kartları.",
        },
    },
    {
        "key": "shipping",
        "icon": "shipping",
        "en": {
            "title": "Shipping & delivery",
            "slug": "shipping-delivery",
            "summary": "Delivery times and costs, tracking your parcel, customs, and what to "
            "do when a parcel is late or damaged.",
        },
        "tr": {
            "title": "Kargo ve teslimat",
            "slug": "kargo-ve-teslimat",
            "summary": "Teslimat süreleri ve ücretleri, kargo takibi, gümrük ve geciken ya da "
            "hasarlı gönderiler.",
        },
    },
    {
        "key": "returns",
        "icon": "returns",
        "en": {
            "title": "Returns & exchanges",
            "slug": "returns-exchanges",
            "summary": "Our return policy, starting a return, labels and drop-off codes, "
            "exchanges and your right of withdrawal.",
        },
        "tr": {
            "title": "İade ve değişim",
            "slug": "iade-ve-degisim",
            "summary": "İade koşullarımız, iade başlatma, kargo etiketi ve teslim kodları, "
            "değişim ve cayma hakkınız.",
        },
    },
    {
        "key": "payments",
        "icon": "payment",
        "en": {
            "title": "Payments & refunds",
            "slug": "payments-refunds",
            "summary": "How to pay, when refunds arrive, store credit, declined cards and "
            "invoices.",
        },
        "tr": {
            "title": "Ödeme ve para iadesi",
            "slug": "odeme-ve-para-iadesi",
            "summary": "Ödeme yöntemleri, para iadesinin ne zaman yapılacağı, mağaza kredisi, "
            "reddedilen kartlar ve faturalar.",
        },
    },
    {
        "key": "rewards",
        "icon": "rewards",
        "en": {
            "title": "Rewards & points",
            "slug": "rewards-points",
            "summary": "Earning and spending points, pending points, tiers, expiry, "
            "referrals and your birthday bonus.",
        },
        "tr": {
            "title": "Puanlar ve ödüller",
            "slug": "puanlar-ve-oduller",
            "summary": "Puan kazanma ve harcama, bekleyen puanlar, seviyeler, puanların süresi, "
            "arkadaş daveti ve doğum günü hediyesi.",
        },
    },
    {
        "key": "account",
        "icon": "account",
        "en": {
            "title": "Your account",
            "slug": "your-account",
            "summary": "Creating an account, signing in, verifying your email, passwords and "
            "your details.",
        },
        "tr": {
            "title": "Hesabınız",
            "slug": "hesabiniz",
            "summary": "Hesap oluşturma, giriş yapma, e-posta doğrulama, şifreler ve bilgileriniz.",
        },
    },
    {
        "key": "care",
        "icon": "product",
        "en": {
            "title": "Product care",
            "slug": "product-care",
            "summary": "Washing and caring for linen, towels and wool throws, and choosing "
            "the right size.",
        },
        "tr": {
            "title": "Ürün bakımı",
            "slug": "urun-bakimi",
            "summary": "Keten, havlu ve yün şalların yıkanması ve bakımı, doğru ölçünün seçilmesi.",
        },
    },
    {
        "key": "contact",
        "icon": "question",
        "en": {
            "title": "Contact & privacy",
            "slug": "contact-privacy",
            "summary": "Reaching our team, how we handle your data, and where our products "
            "are made.",
        },
        "tr": {
            "title": "İletişim ve gizlilik",
            "slug": "iletisim-ve-gizlilik",
            "summary": "Ekibimize ulaşma, verilerinizi nasıl koruduğumuz ve ürünlerimizin "
            "nerede üretildiği.",
        },
    },
]

ORDERS = [
    {
        "key": "place-order",
        "category": "orders",
        "related": ["delivery-times", "payment-methods"],
        "en": {
            "title": "How to place an order",
            "slug": "how-to-place-an-order",
            "summary": "Add what you like to your basket, check out with your delivery "
            "address and pay by card. A confirmation email follows within minutes.",
            "tags": ["ordering", "checkout", "basket"],
            "body": [
                (
                    "text",
                    "<p>You can order from our online shop with or without an account. "
                    "Everything we sell is made in small batches in our Istanbul workshop, "
                    "so the stock you see is the stock we have.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Choose your items",
                            "Pick a size and colour and press <b>Add to basket</b>.",
                        ),
                        (
                            "Open your basket",
                            "Check the quantities; this is also where you "
                            "add gift wrap or a discount code.",
                        ),
                        (
                            "Check out",
                            "Enter your email and delivery address, then choose "
                            "standard or express delivery.",
                        ),
                        (
                            "Pay",
                            "Pay by card, Apple Pay or Google Pay. Your order number is "
                            "shown straight away and emailed to you.",
                        ),
                    ],
                ),
                (
                    "text",
                    "<p>Ordering with an account lets you see every order in one place, "
                    "track parcels without typing your order number and earn reward "
                    "points.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Can I order by phone?",
                            "We don't take orders by phone, but our "
                            "team is happy to help you choose before you order online.",
                        ),
                        (
                            "Is there a minimum order?",
                            "No. Delivery is free on orders over £50 or ₺1.500.",
                        ),
                    ],
                ),
            ],
        },
        "tr": {
            "title": "Nasıl sipariş verilir?",
            "slug": "nasil-siparis-verilir",
            "summary": "Beğendiklerinizi sepete ekleyin, teslimat adresinizi girin ve kartla "
            "ödeyin. Onay e-postası birkaç dakika içinde gelir.",
            "tags": ["sipariş", "sepet", "ödeme adımı"],
            "body": [
                (
                    "text",
                    "<p>Online mağazamızdan üye olarak ya da üye olmadan sipariş "
                    "verebilirsiniz. Tüm ürünlerimiz İstanbul'daki atölyemizde küçük "
                    "partiler halinde üretilir; sitede gördüğünüz stok, elimizdeki "
                    "stoktur.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Ürününüzü seçin",
                            "Ölçü ve rengi seçip <b>Sepete ekle</b> düğmesine basın.",
                        ),
                        (
                            "Sepetinizi açın",
                            "Adetleri kontrol edin; hediye paketi ve "
                            "indirim kodunu da burada ekleyebilirsiniz.",
                        ),
                        (
                            "Siparişi tamamlayın",
                            "E-posta ve teslimat adresinizi girin, "
                            "standart ya da hızlı teslimatı seçin.",
                        ),
                        (
                            "Ödeyin",
                            "Kart, Apple Pay veya Google Pay ile ödeyin. Sipariş "
                            "numaranız hemen görünür ve e-postayla gönderilir.",
                        ),
                    ],
                ),
                (
                    "text",
                    "<p>Hesabınızla sipariş verirseniz tüm siparişlerinizi tek yerde görür, "
                    "sipariş numarası yazmadan kargonuzu takip eder ve puan "
                    "kazanırsınız.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Telefonla sipariş verebilir miyim?",
                            "Telefonla sipariş "
                            "almıyoruz; ancak ekibimiz online siparişten önce seçim yapmanıza "
                            "memnuniyetle yardımcı olur.",
                        ),
                        (
                            "En az sipariş tutarı var mı?",
                            "Hayır. ₺1.500 üzerindeki siparişlerde kargo ücretsizdir.",
                        ),
                    ],
                ),
            ],
        },
    },
    {
        "key": "change-cancel",
        "category": "orders",
        "related": ["return-policy", "refund-time"],
        "en": {
            "title": "Change or cancel an order",
            "slug": "change-or-cancel-an-order",
            "summary": "Until we pack your order we can change the address, swap a size or "
            "cancel it. Once it has shipped, send it back as a return instead.",
            "tags": ["cancel", "cancellation", "change order", "address"],
            "body": [
                (
                    "text",
                    "<p>We pack orders within two working days, often the same day. Until "
                    "your order is packed we can change the delivery address, swap a size "
                    "or colour, remove an item or cancel the whole order.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Find your order number",
                            "It is in your confirmation email and under <b>Account → Orders</b>.",
                        ),
                        (
                            "Contact us quickly",
                            "Use the contact form with the order number "
                            "and what you would like changed.",
                        ),
                        (
                            "Look for our reply",
                            "We confirm the change by email. A "
                            "cancelled order is refunded to the card you paid with.",
                        ),
                    ],
                ),
                (
                    "warning",
                    "Once your order shows <b>Shipped</b> we can no longer stop it. Accept "
                    "the parcel and start a return from your account: you have 30 days from "
                    "delivery.",
                ),
                (
                    "faq",
                    [
                        (
                            "How long does a cancellation refund take?",
                            "We refund at once; your bank shows it within 5–10 working days.",
                        ),
                        (
                            "Do I lose my points if I cancel?",
                            "Points for a cancelled order "
                            "are taken back, as they were still pending.",
                        ),
                    ],
                ),
            ],
        },
        "tr": {
            "title": "Siparişi değiştirme veya iptal etme",
            "slug": "siparisi-degistirme-veya-iptal-etme",
            "summary": "Siparişiniz paketlenene kadar adresi değiştirebilir, ölçü "
            "değiştirebilir ya da iptal edebiliriz. Kargoya verildiyse iade başlatın.",
            "tags": ["iptal", "sipariş iptali", "sipariş değişikliği", "adres"],
            "body": [
                (
                    "text",
                    "<p>Siparişleri iki iş günü içinde, çoğu zaman aynı gün paketliyoruz. "
                    "Siparişiniz paketlenene kadar teslimat adresini değiştirebilir, ölçü "
                    "ya da rengi değiştirebilir, bir ürünü çıkarabilir veya siparişin "
                    "tamamını iptal edebiliriz.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Sipariş numaranızı bulun",
                            "Onay e-postasında ve <b>Hesabım → "
                            "Siparişlerim</b> bölümünde yer alır.",
                        ),
                        (
                            "Bize hemen yazın",
                            "İletişim formuna sipariş numaranızı ve istediğiniz değişikliği yazın.",
                        ),
                        (
                            "Yanıtımızı bekleyin",
                            "Değişikliği e-postayla onaylarız. İptal "
                            "edilen siparişin ücreti ödeme yaptığınız karta iade edilir.",
                        ),
                    ],
                ),
                (
                    "warning",
                    "Siparişiniz <b>Kargoya verildi</b> durumuna geçtiyse artık "
                    "durduramayız. Paketi teslim alın ve hesabınızdan iade başlatın: "
                    "teslimattan itibaren 30 gününüz var.",
                ),
                (
                    "faq",
                    [
                        (
                            "İptalden sonra param ne zaman yatar?",
                            "İadeyi hemen yaparız; "
                            "bankanız 5–10 iş günü içinde hesabınıza yansıtır.",
                        ),
                        (
                            "İptal edersem puanlarımı kaybeder miyim?",
                            "İptal edilen "
                            "siparişin puanları henüz beklemede olduğu için geri alınır.",
                        ),
                    ],
                ),
            ],
        },
    },
    {
        "key": "confirmation-email",
        "category": "orders",
        "related": ["track-order", "verify-email"],
        "en": {
            "title": "I didn't get an order confirmation email",
            "slug": "order-confirmation-email-missing",
            "summary": "Confirmation emails arrive within minutes. Check your spam folder "
            "and the address you typed; your order is safe either way.",
            "tags": ["confirmation", "email", "spam"],
            "body": [
                (
                    "text",
                    "<p>We send an order confirmation within a few minutes of payment, from "
                    "orders@harborandloom.example. If it has not arrived after half an hour, "
                    "it has usually been filtered or sent to a mistyped address.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Check spam and promotions",
                            "Mark our email as <i>not spam</i> "
                            "so that shipping updates reach you too.",
                        ),
                        (
                            "Look up the order",
                            "Go to <b>Track an order</b> and enter your "
                            "order number and email. If it is found, the order went "
                            "through.",
                        ),
                        (
                            "Still nothing?",
                            "Write to us with your name and the last four "
                            "digits of your card; we will find the order and fix the "
                            "address.",
                        ),
                    ],
                ),
                (
                    "note",
                    "A payment pending on your card without a confirmation is released by "
                    "your bank within a few days if the order did not go through.",
                ),
            ],
        },
        "tr": {
            "title": "Sipariş onay e-postası gelmedi",
            "slug": "siparis-onay-e-postasi-gelmedi",
            "summary": "Onay e-postası birkaç dakika içinde gelir. Spam klasörünü ve "
            "yazdığınız adresi kontrol edin; siparişiniz her durumda güvende.",
            "tags": ["onay e-postası", "e-posta", "spam"],
            "body": [
                (
                    "text",
                    "<p>Sipariş onayını ödemeden birkaç dakika sonra "
                    "orders@harborandloom.example adresinden göndeririz. Yarım saat içinde "
                    "gelmediyse genellikle filtreye takılmıştır ya da e-posta adresi yanlış "
                    "yazılmıştır.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Spam ve promosyon klasörlerine bakın",
                            "E-postamızı <i>spam "
                            "değil</i> olarak işaretleyin; kargo bildirimleri de size "
                            "ulaşsın.",
                        ),
                        (
                            "Siparişi sorgulayın",
                            "<b>Sipariş takibi</b> sayfasına sipariş "
                            "numaranızı ve e-posta adresinizi girin. Sipariş bulunuyorsa "
                            "başarıyla alınmıştır.",
                        ),
                        (
                            "Hâlâ bulamadınız mı?",
                            "Adınızı ve kartınızın son dört hanesini "
                            "yazın; siparişi bulup e-posta adresini düzeltelim.",
                        ),
                    ],
                ),
                (
                    "note",
                    "Onay gelmeden kartınızda bekleyen bir tutar görüyorsanız ve sipariş "
                    "oluşmadıysa, bankanız bu tutarı birkaç gün içinde serbest bırakır.",
                ),
            ],
        },
    },
    {
        "key": "gift-wrap",
        "category": "orders",
        "related": ["gift-cards", "delivery-times"],
        "en": {
            "title": "Gift wrap and gift messages",
            "slug": "gift-wrap-and-messages",
            "summary": "Add gift wrap in your basket for £3.50 / ₺100 per order, with a "
            "handwritten message. Prices are left off the packing slip.",
            "tags": ["gift", "gift wrap", "present", "message"],
            "body": [
                (
                    "text",
                    "<p>We wrap gifts by hand in undyed linen tied with cotton ribbon, so "
                    "the wrapping is a small present in itself. Gift wrap costs £3.50 or "
                    "₺100 per order and covers every item in it.</p>"
                    "<p>Add it in your basket and write a message of up to 200 characters. "
                    "We write it by hand on a recycled card. When an order is wrapped, the "
                    "packing slip shows no prices.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Can I send a gift straight to someone else?",
                            "Yes: enter their "
                            "name and address as the delivery address. Tracking updates still "
                            "come to you.",
                        ),
                        (
                            "Can I wrap items separately?",
                            "Place a separate order for each wrapped gift; wrapping is per order.",
                        ),
                        (
                            "Can the recipient return a gift?",
                            "Yes, within 30 days of "
                            "delivery. The refund goes to the person who paid, or as store "
                            "credit if you ask us.",
                        ),
                    ],
                ),
            ],
        },
        "tr": {
            "title": "Hediye paketi ve hediye notu",
            "slug": "hediye-paketi-ve-not",
            "summary": "Sepetinizde sipariş başına ₺100 karşılığında hediye paketi ve el "
            "yazısıyla not ekleyin. İrsaliyede fiyat yer almaz.",
            "tags": ["hediye", "hediye paketi", "not"],
            "body": [
                (
                    "text",
                    "<p>Hediyeleri boyasız keten kumaşa elle sarıp pamuk kurdeleyle "
                    "bağlıyoruz; paketin kendisi de küçük bir hediye sayılır. Hediye "
                    "paketi sipariş başına ₺100 (İngiltere ve AB'de £3,50) tutarındadır ve "
                    "siparişteki tüm ürünleri kapsar.</p>"
                    "<p>Paketi sepetinizde ekleyin ve en fazla 200 karakterlik notunuzu "
                    "yazın. Notu geri dönüştürülmüş bir karta elle yazarız. Hediye paketli "
                    "siparişlerin irsaliyesinde fiyat görünmez.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Hediyeyi doğrudan başkasına gönderebilir miyim?",
                            "Evet; "
                            "teslimat adresine alıcının adını ve adresini yazın. Kargo "
                            "bildirimleri yine size gelir.",
                        ),
                        (
                            "Ürünleri ayrı ayrı paketletebilir miyim?",
                            "Paketleme sipariş "
                            "başına yapıldığından her hediye için ayrı sipariş verin.",
                        ),
                        (
                            "Hediyeyi alan kişi iade edebilir mi?",
                            "Evet, teslimattan "
                            "itibaren 30 gün içinde. Para, ödemeyi yapan kişiye ya da "
                            "isterseniz mağaza kredisi olarak iade edilir.",
                        ),
                    ],
                ),
            ],
        },
    },
    {
        "key": "gift-cards",
        "category": "orders",
        "related": ["gift-wrap", "store-credit"],
        "en": {
            "title": "Gift cards",
            "slug": "gift-cards",
            "summary": "Digital gift cards of £25, £50 or £100 (₺750, ₺1.500 or ₺3.000), "
            "sent by email and valid for two years.",
            "tags": ["gift card", "voucher", "gift"],
            "body": [
                (
                    "text",
                    "<p>Our gift cards are digital: we email a code to you or straight to "
                    "the person you choose, on the date you pick. They come in £25, £50 "
                    "and £100, or ₺750, ₺1.500 and ₺3.000 in our Turkish shop.</p>"
                    "<p>Enter the code at checkout in the <b>Gift card or discount "
                    "code</b> field. If your order costs less than the card, the rest stays "
                    "on the card for next time; if it costs more, pay the difference by "
                    "card.</p>",
                ),
                (
                    "note",
                    "Gift cards are valid for two years from purchase and are used in the "
                    "currency they were bought in. They cannot be exchanged for cash.",
                ),
                (
                    "faq",
                    [
                        (
                            "Do gift cards earn reward points?",
                            "Buying a gift card earns no "
                            "points; the person who spends it earns points on what they "
                            "buy.",
                        ),
                        (
                            "I lost the gift card email.",
                            "Write to us with the buyer's email and we will send the code again.",
                        ),
                    ],
                ),
            ],
        },
        "tr": {
            "title": "Hediye kartları",
            "slug": "hediye-kartlari",
            "summary": "₺750, ₺1.500 veya ₺3.000 değerinde dijital hediye kartları; "
            "e-postayla gönderilir ve iki yıl geçerlidir.",
            "tags": ["hediye kartı", "hediye çeki", "hediye"],
            "body": [
                (
                    "text",
                    "<p>Hediye kartlarımız dijitaldir: kodu size ya da seçtiğiniz kişiye, "
                    "belirlediğiniz tarihte e-postayla göndeririz. Türkiye mağazamızda "
                    "₺750, ₺1.500 ve ₺3.000; İngiltere ve AB'de £25, £50 ve £100 "
                    "değerindedir.</p>"
                    "<p>Kodu ödeme adımında <b>Hediye kartı veya indirim kodu</b> alanına "
                    "girin. Sipariş tutarı karttan azsa kalan bakiye bir sonraki alışveriş "
                    "için kartta kalır; fazlaysa farkı kartla ödersiniz.</p>",
                ),
                (
                    "note",
                    "Hediye kartları satın alındıkları tarihten itibaren iki yıl geçerlidir "
                    "ve alındıkları para biriminde kullanılır. Nakde çevrilemez.",
                ),
                (
                    "faq",
                    [
                        (
                            "Hediye kartı puan kazandırır mı?",
                            "Hediye kartı satın almak puan "
                            "kazandırmaz; kartı kullanan kişi aldığı ürünler için puan "
                            "kazanır.",
                        ),
                        (
                            "Hediye kartı e-postasını kaybettim.",
                            "Satın alan kişinin "
                            "e-posta adresiyle bize yazın, kodu yeniden gönderelim.",
                        ),
                    ],
                ),
            ],
        },
    },
]


def _article(key, category, related, en, tr):
    """One article from (title, slug, summary, tags, body) in each language."""
    fields = ("title", "slug", "summary", "tags", "body")
    return {
        "key": key,
        "category": category,
        "related": related,
        "en": dict(zip(fields, en, strict=True)),
        "tr": dict(zip(fields, tr, strict=True)),
    }


SHIPPING = [
    _article(
        "delivery-times",
        "shipping",
        ["track-order", "customs-duties"],
        (
            "Delivery times and costs",
            "delivery-times-and-costs",
            "Orders leave our Istanbul workshop within two working days. Standard delivery "
            "costs £4.95 (₺150 in Turkey) and is free over £50 (₺1.500).",
            ["delivery", "shipping cost", "free shipping", "express"],
            [
                (
                    "text",
                    "<p>Every order is packed by hand in our Istanbul workshop and "
                    "leaves within two working days. How long it takes after that depends on "
                    "where it is going:</p><ul><li><b>Turkey:</b> 1–3 working days with "
                    "Yurtiçi, Aras, MNG or PTT Kargo. ₺150, free over ₺1.500.</li>"
                    "<li><b>United Kingdom:</b> 3–5 working days with Royal Mail or UPS. "
                    "£4.95, free over £50.</li><li><b>European Union:</b> 3–6 working days "
                    "with DHL or UPS. £4.95, free over £50.</li></ul><p><b>Express</b> "
                    "delivery with DHL Express takes 1–3 working days anywhere we ship and "
                    "costs £12.95 (₺400).</p>",
                ),
                (
                    "note",
                    "Orders placed on a Friday afternoon, a weekend or a public "
                    "holiday in Turkey are packed on the next working day.",
                ),
                (
                    "faq",
                    [
                        (
                            "Do you deliver on Saturdays?",
                            "Royal Mail and some Turkish "
                            "carriers do; we cannot choose the day for you.",
                        ),
                        ("Where do you not ship?", "Outside the UK, the EU and Turkey, for now."),
                    ],
                ),
            ],
        ),
        (
            "Teslimat süreleri ve kargo ücretleri",
            "teslimat-sureleri-ve-kargo-ucretleri",
            "Siparişler iki iş günü içinde İstanbul'daki atölyemizden çıkar. Standart "
            "kargo ₺150'dir, ₺1.500 üzeri siparişlerde ücretsizdir.",
            ["teslimat", "kargo ücreti", "ücretsiz kargo", "hızlı teslimat"],
            [
                (
                    "text",
                    "<p>Her sipariş İstanbul'daki atölyemizde elle paketlenir ve iki "
                    "iş günü içinde yola çıkar. Sonrası gönderinin gideceği yere bağlıdır:</p>"
                    "<ul><li><b>Türkiye:</b> Yurtiçi, Aras, MNG veya PTT Kargo ile 1–3 iş "
                    "günü. ₺150; ₺1.500 üzeri ücretsiz.</li><li><b>Birleşik Krallık:</b> "
                    "Royal Mail veya UPS ile 3–5 iş günü. £4,95; £50 üzeri ücretsiz.</li>"
                    "<li><b>Avrupa Birliği:</b> DHL veya UPS ile 3–6 iş günü. £4,95; £50 "
                    "üzeri ücretsiz.</li></ul><p>DHL Express ile <b>hızlı teslimat</b> "
                    "gönderdiğimiz her yere 1–3 iş günü sürer ve ₺400 (£12,95) "
                    "tutarındadır.</p>",
                ),
                (
                    "note",
                    "Cuma öğleden sonra, hafta sonu veya resmî tatilde verilen "
                    "siparişler bir sonraki iş günü paketlenir.",
                ),
                (
                    "faq",
                    [
                        (
                            "Cumartesi teslimat yapılıyor mu?",
                            "Bazı kargo firmaları cumartesi "
                            "dağıtım yapar; teslimat gününü biz seçemiyoruz.",
                        ),
                        (
                            "Hangi ülkelere gönderim yapmıyorsunuz?",
                            "Şimdilik yalnızca "
                            "Türkiye, Birleşik Krallık ve AB ülkelerine gönderiyoruz.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "track-order",
        "shipping",
        ["late-parcel", "delivery-times"],
        (
            "Track your order",
            "track-your-order",
            "Follow every parcel of your order from your account, or as a guest with your "
            "order number and email on the Track an order page.",
            ["tracking", "where is my order", "parcel", "shipment"],
            [
                (
                    "text",
                    "<p>As soon as your order leaves the workshop we email you a "
                    "tracking link. Large orders sometimes travel in more than one parcel; "
                    "each one is tracked separately and shown on the same page.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "With an account",
                            "Sign in and open <b>Account → Orders</b>, then "
                            "the order. Every shipment shows its carrier, its latest scan and "
                            "the expected delivery date.",
                        ),
                        (
                            "Without an account",
                            "Open <a href='/track/'>Track an order</a> "
                            "and enter your order number (for example #1042) and the email you "
                            "ordered with.",
                        ),
                        (
                            "Follow it to your door",
                            "We email you when the parcel is out for "
                            "delivery and again when it has been delivered.",
                        ),
                    ],
                ),
                (
                    "faq",
                    [
                        (
                            "The tracking has not moved for days.",
                            "Carriers do not always scan "
                            "parcels between depots. If nothing changes for five working days, "
                            "see our article on late parcels.",
                        ),
                        (
                            "Can I turn off the shipping emails?",
                            "Yes, with the link at the bottom of any shipping email.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Siparişimi nasıl takip ederim?",
            "siparis-takibi",
            "Siparişinizin tüm kargolarını hesabınızdan ya da üye olmadan sipariş "
            "numaranız ve e-posta adresinizle Sipariş takibi sayfasından izleyin.",
            ["kargo takibi", "siparişim nerede", "kargo", "gönderi"],
            [
                (
                    "text",
                    "<p>Siparişiniz atölyeden çıkar çıkmaz size kargo takip "
                    "bağlantısını e-postayla göndeririz. Büyük siparişler bazen birden fazla "
                    "pakette gider; her paket ayrı ayrı takip edilir ve aynı sayfada "
                    "görünür.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Hesabınızla",
                            "Giriş yapın, <b>Hesabım → Siparişlerim</b> bölümünü "
                            "açın ve siparişi seçin. Her gönderinin kargo firması, son hareketi "
                            "ve tahmini teslim tarihi görünür.",
                        ),
                        (
                            "Üye olmadan",
                            "<a href='/tr/track/'>Sipariş takibi</a> sayfasına "
                            "sipariş numaranızı (örneğin #1042) ve sipariş verdiğiniz e-posta "
                            "adresini girin.",
                        ),
                        (
                            "Kapınıza kadar izleyin",
                            "Kargo dağıtıma çıktığında ve teslim "
                            "edildiğinde size e-posta göndeririz.",
                        ),
                    ],
                ),
                (
                    "faq",
                    [
                        (
                            "Kargom günlerdir aynı yerde görünüyor.",
                            "Kargo firmaları paketleri "
                            "aktarma merkezleri arasında her zaman okutmaz. Beş iş günü boyunca "
                            "hareket olmazsa geciken kargolar yazımıza bakın.",
                        ),
                        (
                            "Kargo e-postalarını kapatabilir miyim?",
                            "Evet, her kargo e-postasının altındaki bağlantıyla.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "customs-duties",
        "shipping",
        ["delivery-times", "invoices-vat"],
        (
            "Customs, duties and import VAT",
            "customs-duties-and-import-vat",
            "Our prices include duties and import VAT for the UK and the EU: you pay "
            "nothing more when your parcel arrives.",
            ["customs", "duties", "import tax", "VAT"],
            [
                (
                    "text",
                    "<p>We ship from Turkey, so parcels to the United Kingdom and the "
                    "European Union pass through customs. We pay the duties and the import VAT "
                    "for you before the parcel leaves, and the price you see at checkout is "
                    "the price you pay. The carrier will not ask you for money at the "
                    "door.</p><p>Customs checks can add one or two working days to the "
                    "delivery time in busy seasons. Orders within Turkey do not go through "
                    "customs.</p>",
                ),
                (
                    "warning",
                    "If a courier asks you to pay a customs fee for a Harbor & "
                    "Loom parcel, do not pay it: send us the message you received and we "
                    "will sort it out with the carrier.",
                ),
                (
                    "faq",
                    [
                        (
                            "Do I get the VAT back if I return an order?",
                            "Yes. The refund covers the full price you paid, VAT included.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Gümrük, vergiler ve ithalat KDV'si",
            "gumruk-vergileri-ve-ithalat-kdv",
            "İngiltere ve AB'ye gönderilen siparişlerde gümrük vergisi ve ithalat KDV'si "
            "fiyata dahildir; teslimatta ek ödeme yapmazsınız.",
            ["gümrük", "gümrük vergisi", "ithalat vergisi", "KDV"],
            [
                (
                    "text",
                    "<p>Gönderilerimiz Türkiye'den çıktığı için Birleşik Krallık ve "
                    "Avrupa Birliği'ne giden paketler gümrükten geçer. Gümrük vergisini ve "
                    "ithalat KDV'sini paket yola çıkmadan biz öderiz; ödeme adımında "
                    "gördüğünüz fiyat, ödeyeceğiniz fiyattır. Kurye kapıda sizden ücret "
                    "istemez.</p><p>Yoğun dönemlerde gümrük kontrolü teslimat süresine bir iki "
                    "iş günü ekleyebilir. Türkiye içindeki siparişler gümrükten geçmez.</p>",
                ),
                (
                    "warning",
                    "Bir kurye Harbor & Loom paketi için sizden gümrük ücreti "
                    "isterse ödemeyin: aldığınız mesajı bize iletin, kargo firmasıyla biz "
                    "ilgilenelim.",
                ),
                (
                    "faq",
                    [
                        (
                            "İade edersem KDV'yi geri alır mıyım?",
                            "Evet. İade, KDV dahil ödediğiniz tutarın tamamını kapsar.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "late-parcel",
        "shipping",
        ["track-order", "contact-us"],
        (
            "My parcel is late or lost",
            "late-or-lost-parcel",
            "Check the tracking first. If it has not moved for five working days, or says "
            "delivered but you have nothing, tell us and we will open a claim.",
            ["late delivery", "lost parcel", "missing parcel", "not delivered"],
            [
                (
                    "text",
                    "<p>Most late parcels are simply waiting at a depot or a customs "
                    "desk. Before you write to us, have a look at the tracking: it often "
                    "says where the parcel is and when it will move on.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Check the tracking",
                            "Open the order in your account or on "
                            "<b>Track an order</b> and read the latest scan.",
                        ),
                        (
                            "Look around",
                            "If it says delivered, check with neighbours, your "
                            "building's reception and any safe place you gave the carrier.",
                        ),
                        (
                            "Tell us",
                            "After five working days without a scan, or a day after "
                            "a delivery you cannot find, send us the order number through the "
                            "contact form.",
                        ),
                    ],
                ),
                (
                    "text",
                    "<p>We open a claim with the carrier the same day. If the parcel "
                    "is not found within ten working days, we send a replacement or refund "
                    "you in full, whichever you prefer.</p>",
                ),
            ],
        ),
        (
            "Kargom gecikti veya kayboldu",
            "kargom-gecikti-veya-kayboldu",
            "Önce kargo takibine bakın. Beş iş günü hareket yoksa ya da teslim edildi "
            "görünüp paket elinize ulaşmadıysa bize yazın, kargo firmasına başvuralım.",
            ["geciken kargo", "kayıp kargo", "teslim edilmedi", "kargo gelmedi"],
            [
                (
                    "text",
                    "<p>Geciken paketlerin çoğu bir aktarma merkezinde ya da gümrükte "
                    "bekliyordur. Bize yazmadan önce kargo takibine göz atın: paketin nerede "
                    "olduğu ve ne zaman yola çıkacağı çoğu zaman orada yazar.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Kargo takibine bakın",
                            "Siparişi hesabınızdan ya da <b>Sipariş "
                            "takibi</b> sayfasından açın ve son hareketi okuyun.",
                        ),
                        (
                            "Çevrenize sorun",
                            "Teslim edildi görünüyorsa komşularınıza, site "
                            "güvenliğine ya da kargoya belirttiğiniz yere bakın.",
                        ),
                        (
                            "Bize haber verin",
                            "Beş iş günü boyunca hareket olmazsa ya da "
                            "teslim edildi görünen paketi bir gün içinde bulamazsanız, iletişim "
                            "formundan sipariş numaranızı gönderin.",
                        ),
                    ],
                ),
                (
                    "text",
                    "<p>Aynı gün kargo firmasına başvuru açarız. Paket on iş günü "
                    "içinde bulunamazsa, tercihinize göre yenisini gönderir ya da ödediğiniz "
                    "tutarın tamamını iade ederiz.</p>",
                ),
            ],
        ),
    ),
    _article(
        "damaged-item",
        "shipping",
        ["start-return", "late-parcel"],
        (
            "My order arrived damaged or wrong",
            "damaged-or-wrong-item",
            "Send us a photo within 14 days of delivery. We send a replacement or refund "
            "you, and you never pay to return a faulty or wrong item.",
            ["damaged", "faulty", "wrong item", "defect"],
            [
                (
                    "text",
                    "<p>We check every piece before it is folded, but things "
                    "occasionally go wrong in transit or in our packing room. If something "
                    "arrived damaged, faulty or not what you ordered, we put it right at our "
                    "cost.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Take a photo",
                            "Of the item and, if it was damaged in transit, of the box.",
                        ),
                        (
                            "Start a return",
                            "In your account, choose the item and the reason "
                            "<i>Damaged or faulty</i> or <i>Wrong item</i>, and add the photo.",
                        ),
                        (
                            "Choose replacement or refund",
                            "We send a free return label and "
                            "dispatch the replacement as soon as we have approved your "
                            "request.",
                        ),
                    ],
                ),
                (
                    "note",
                    "Please tell us within 14 days of delivery. A fault that "
                    "appears later, within a year, is still covered: write to us.",
                ),
            ],
        ),
        (
            "Siparişim hasarlı veya yanlış geldi",
            "hasarli-veya-yanlis-urun",
            "Teslimattan sonraki 14 gün içinde bize bir fotoğraf gönderin. Yenisini "
            "gönderir ya da ücretini iade ederiz; kusurlu ürünün iade kargosu bizden.",
            ["hasarlı ürün", "kusurlu ürün", "yanlış ürün", "defolu"],
            [
                (
                    "text",
                    "<p>Her ürünü katlamadan önce kontrol ediyoruz; yine de "
                    "taşımada ya da paketlemede ara sıra sorun çıkabiliyor. Ürününüz "
                    "hasarlı, kusurlu ya da sipariş ettiğinizden farklı geldiyse masrafı "
                    "bize ait olmak üzere düzeltiriz.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Fotoğraf çekin",
                            "Ürünün ve taşımada hasar gördüyse kutunun fotoğrafını çekin.",
                        ),
                        (
                            "İade başlatın",
                            "Hesabınızda ürünü seçin, <i>Hasarlı veya "
                            "kusurlu</i> ya da <i>Yanlış ürün</i> nedenini işaretleyip fotoğrafı "
                            "ekleyin.",
                        ),
                        (
                            "Değişim veya iade seçin",
                            "Ücretsiz iade etiketi göndeririz; "
                            "talebinizi onaylar onaylamaz yeni ürünü yola çıkarırız.",
                        ),
                    ],
                ),
                (
                    "note",
                    "Lütfen teslimattan sonraki 14 gün içinde bildirin. Bir yıl "
                    "içinde ortaya çıkan üretim kusurları da kapsam dahilindedir: bize "
                    "yazın.",
                ),
            ],
        ),
    ),
]

RETURNS = [
    _article(
        "return-policy",
        "returns",
        ["start-return", "refund-time", "withdrawal"],
        (
            "Our return policy",
            "return-policy",
            "Return anything unused within 30 days of delivery for a refund, store credit "
            "or an exchange. Returns are free for Silver and Gold members.",
            ["returns", "return policy", "refund", "30 days"],
            [
                (
                    "text",
                    "<p>If something is not right, send it back within <b>30 days "
                    "of delivery</b>. Items must be unused and unwashed, with their labels, "
                    "so that the next customer receives them as new. You choose how you are "
                    "paid back: to your original payment method, as store credit, or as an "
                    "exchange for another size or colour.</p><p>A return label costs £3.95 "
                    "(₺60), taken from your refund. Returns are free for Silver and Gold "
                    "members of our rewards program, and always free when an item is faulty "
                    "or we sent the wrong one.</p>",
                ),
                (
                    "warning",
                    "We cannot take back washed bedding or towels unless they are "
                    "faulty, nor personalised items with embroidery.",
                ),
                (
                    "faq",
                    [
                        (
                            "When does the 30 days start?",
                            "On the day the carrier delivered "
                            "your parcel, as shown in the tracking.",
                        ),
                        (
                            "Can I return part of an order?",
                            "Yes, choose just the items you "
                            "are sending back. Delivery costs are refunded only when the whole "
                            "order comes back within 14 days.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "İade koşullarımız",
            "iade-kosullari",
            "Kullanılmamış ürünleri teslimattan itibaren 30 gün içinde iade edebilir; para "
            "iadesi, mağaza kredisi veya değişim seçebilirsiniz. Silver ve Gold üyelere "
            "iade ücretsiz.",
            ["iade", "iade koşulları", "iade politikası", "30 gün"],
            [
                (
                    "text",
                    "<p>Bir ürün içinize sinmediyse <b>teslimattan itibaren 30 "
                    "gün</b> içinde geri gönderebilirsiniz. Bir sonraki müşteriye yeni olarak "
                    "ulaşabilmesi için ürün kullanılmamış, yıkanmamış ve etiketleri üzerinde "
                    "olmalıdır. Parayı nasıl geri alacağınızı siz seçersiniz: ödeme "
                    "yaptığınız yönteme iade, mağaza kredisi ya da başka bir ölçü veya "
                    "renkle değişim.</p><p>İade kargo etiketi ₺60'tır (£3,95) ve iade "
                    "tutarından düşülür. Ödül programımızın Silver ve Gold üyeleri için, "
                    "ayrıca ürün kusurluysa ya da yanlış ürün gönderdiysek iade her zaman "
                    "ücretsizdir.</p>",
                ),
                (
                    "warning",
                    "Kusurlu olmadıkça yıkanmış nevresim ve havluları, "
                    "nakışla kişiselleştirilmiş ürünleri geri alamıyoruz.",
                ),
                (
                    "faq",
                    [
                        (
                            "30 gün ne zaman başlar?",
                            "Kargo firmasının paketinizi teslim "
                            "ettiği gün, kargo takibinde görünen tarihte başlar.",
                        ),
                        (
                            "Siparişin bir kısmını iade edebilir miyim?",
                            "Evet, yalnızca geri "
                            "göndereceğiniz ürünleri seçin. Kargo ücreti yalnızca siparişin "
                            "tamamı 14 gün içinde iade edilirse geri ödenir.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "start-return",
        "returns",
        ["return-labels", "return-policy", "refund-time"],
        (
            "How to start a return",
            "how-to-start-a-return",
            "Start a return from your account or the order's tracking page, choose the "
            "items and a reason, and print a label or show a QR code at a drop-off point.",
            ["start a return", "send back", "return request"],
            [
                (
                    "text",
                    "<p>Returns are started online, with or without an account, and "
                    "take about two minutes.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Find the order",
                            "Open it under <b>Account → Orders</b>, or on "
                            "<b>Track an order</b> with your order number and email.",
                        ),
                        (
                            "Choose the items",
                            "Press <b>Start a return</b>, tick what you are "
                            "sending back and tell us why. A photo helps if something is "
                            "faulty.",
                        ),
                        (
                            "Choose how to be paid back",
                            "A refund to your original payment, store credit, or an exchange.",
                        ),
                        (
                            "Send the parcel",
                            "Print the prepaid label, or show the QR code at a "
                            "drop-off point: no printer needed.",
                        ),
                    ],
                ),
                (
                    "text",
                    "<p>You can follow your return on the order's page: we email you "
                    "when it is on its way, when it arrives and when your refund has been "
                    "sent.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "The Start a return button is missing.",
                            "The order is either not "
                            "delivered yet or past its 30-day return window. Write to us if you "
                            "think that is wrong.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "İade nasıl başlatılır?",
            "iade-nasil-baslatilir",
            "İadeyi hesabınızdan ya da siparişin takip sayfasından başlatın, ürünleri ve "
            "nedeni seçin, etiketi yazdırın ya da teslim noktasında QR kodu gösterin.",
            ["iade başlatma", "iade talebi", "geri gönderme"],
            [
                (
                    "text",
                    "<p>İadeler üye olsanız da olmasanız da online başlatılır ve "
                    "yaklaşık iki dakika sürer.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Siparişi bulun",
                            "<b>Hesabım → Siparişlerim</b> bölümünden ya da "
                            "<b>Sipariş takibi</b> sayfasından sipariş numaranız ve e-posta "
                            "adresinizle açın.",
                        ),
                        (
                            "Ürünleri seçin",
                            "<b>İade başlat</b> düğmesine basın, geri "
                            "göndereceğiniz ürünleri işaretleyin ve nedenini yazın. Ürün "
                            "kusurluysa bir fotoğraf işimizi kolaylaştırır.",
                        ),
                        (
                            "Geri ödeme şeklini seçin",
                            "Ödeme yönteminize iade, mağaza kredisi ya da değişim.",
                        ),
                        (
                            "Paketi gönderin",
                            "Ücretsiz etiketi yazdırın ya da teslim noktasında "
                            "QR kodu gösterin: yazıcıya gerek yok.",
                        ),
                    ],
                ),
                (
                    "text",
                    "<p>İadenizi siparişin sayfasından izleyebilirsiniz: paket yola "
                    "çıktığında, bize ulaştığında ve para iadeniz yapıldığında size "
                    "e-posta göndeririz.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "İade başlat düğmesini göremiyorum.",
                            "Sipariş ya henüz teslim "
                            "edilmemiştir ya da 30 günlük iade süresi dolmuştur. Bir yanlışlık "
                            "olduğunu düşünüyorsanız bize yazın.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "exchange",
        "returns",
        ["start-return", "sheet-sizes"],
        (
            "Exchange for another size or colour",
            "exchange-size-or-colour",
            "Choose Exchange when you start a return. We send the new item as soon as "
            "the carrier scans your parcel, at no extra delivery cost.",
            ["exchange", "swap", "different size", "colour"],
            [
                (
                    "text",
                    "<p>The quickest way to swap a sheet set for a bigger size, or "
                    "a throw for another colour, is an exchange. Start a return as usual and "
                    "choose <b>Exchange</b>, then the size or colour you would like "
                    "instead.</p><p>We reserve the new item for you straight away and send "
                    "it as soon as the carrier scans your return, so you are not left "
                    "waiting for the parcel to reach Istanbul. The delivery of the new item "
                    "is free.</p>",
                ),
                (
                    "note",
                    "Exchanges are for the same product. To swap for something "
                    "else, choose store credit: it is issued as soon as your return "
                    "arrives.",
                ),
                (
                    "faq",
                    [
                        (
                            "What if the new size costs more?",
                            "We email you a payment link "
                            "for the difference; if it costs less, we refund the difference.",
                        ),
                        (
                            "What if it is out of stock?",
                            "We tell you straight away, and you "
                            "can take a refund or store credit instead.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Ölçü veya renk değişimi",
            "olcu-veya-renk-degisimi",
            "İade başlatırken Değişim'i seçin. Kargo firması paketinizi okuttuğu anda yeni "
            "ürünü ek kargo ücreti olmadan göndeririz.",
            ["değişim", "ürün değişimi", "farklı ölçü", "renk"],
            [
                (
                    "text",
                    "<p>Bir nevresim takımını daha büyük ölçüsüyle ya da bir şalı "
                    "başka bir renkle değiştirmenin en hızlı yolu değişimdir. Her zamanki "
                    "gibi iade başlatın, <b>Değişim</b>'i seçin ve istediğiniz ölçüyü ya da "
                    "rengi belirtin.</p><p>Yeni ürünü hemen sizin için ayırırız ve kargo "
                    "firması iade paketinizi okuttuğu anda yola çıkarırız; paketin "
                    "İstanbul'a ulaşmasını beklemezsiniz. Yeni ürünün kargosu "
                    "ücretsizdir.</p>",
                ),
                (
                    "note",
                    "Değişim aynı ürün için yapılır. Başka bir ürün almak "
                    "istiyorsanız mağaza kredisini seçin: iadeniz bize ulaşır ulaşmaz "
                    "tanımlanır.",
                ),
                (
                    "faq",
                    [
                        (
                            "Yeni ölçü daha pahalıysa ne olur?",
                            "Fark için size bir ödeme "
                            "bağlantısı göndeririz; daha ucuzsa farkı iade ederiz.",
                        ),
                        (
                            "İstediğim ölçü stokta yoksa?",
                            "Hemen haber veririz; para iadesi ya da mağaza kredisi seçebilirsiniz.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "return-labels",
        "returns",
        ["start-return", "return-policy"],
        (
            "Return labels and drop-off QR codes",
            "return-labels-and-qr-codes",
            "Every return comes with a prepaid label to print or a QR code to show at a "
            "drop-off point. Keep the receipt until your refund arrives.",
            ["return label", "QR code", "drop-off", "prepaid label"],
            [
                (
                    "text",
                    "<p>When your return is approved you can choose how to send it. "
                    "A <b>prepaid label</b> is a PDF to print and tape over the old address "
                    "label. A <b>QR code</b> needs no printer: the staff at the drop-off "
                    "point scan it from your phone and print the label for you.</p><p>In "
                    "Turkey, take the parcel to any Yurtiçi Kargo branch; in the UK to a "
                    "Post Office or UPS Access Point; in the EU to a DHL ServicePoint. The "
                    "label and the QR code are valid for 14 days.</p>",
                ),
                (
                    "steps",
                    [
                        ("Pack the items", "In the original packaging if you still have it."),
                        ("Print or show", "Tape on the label, or show the QR code at the counter."),
                        ("Keep the receipt", "It proves you sent the parcel if it goes missing."),
                    ],
                ),
                (
                    "faq",
                    [
                        (
                            "My label has expired.",
                            "Open the return on your order's page and press <b>New label</b>.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "İade etiketi ve QR kod",
            "iade-etiketi-ve-qr-kod",
            "Her iadede yazdırabileceğiniz ücretsiz bir etiket ya da teslim noktasında "
            "göstereceğiniz bir QR kod verilir. Para iadeniz gelene kadar fişi saklayın.",
            ["iade etiketi", "QR kod", "kargo şubesi", "iade kodu"],
            [
                (
                    "text",
                    "<p>İadeniz onaylandığında paketi nasıl göndereceğinizi "
                    "seçebilirsiniz. <b>Ücretsiz etiket</b> yazdırıp eski adres etiketinin "
                    "üzerine yapıştıracağınız bir PDF'tir. <b>QR kod</b> için yazıcıya gerek "
                    "yoktur: teslim noktasındaki görevli kodu telefonunuzdan okutur ve "
                    "etiketi sizin için basar.</p><p>Türkiye'de paketi herhangi bir Yurtiçi "
                    "Kargo şubesine, İngiltere'de Post Office'e ya da UPS Access Point'e, "
                    "AB'de DHL ServicePoint'e bırakın. Etiket ve QR kod 14 gün "
                    "geçerlidir.</p>",
                ),
                (
                    "steps",
                    [
                        ("Ürünleri paketleyin", "Elinizde varsa orijinal ambalajıyla."),
                        (
                            "Etiketi yapıştırın ya da kodu gösterin",
                            "Etiketi pakete yapıştırın veya QR kodu şubede gösterin.",
                        ),
                        ("Fişi saklayın", "Paket kaybolursa gönderdiğinizi bu fiş kanıtlar."),
                    ],
                ),
                (
                    "faq",
                    [
                        (
                            "Etiketimin süresi doldu.",
                            "Siparişinizin sayfasında iadeyi açın ve "
                            "<b>Yeni etiket</b> düğmesine basın.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "withdrawal",
        "returns",
        ["return-policy", "refund-time"],
        (
            "Your 14-day right of withdrawal",
            "right-of-withdrawal",
            "In the EU and Turkey the law lets you withdraw from an online purchase within "
            "14 days of delivery without giving a reason. Our 30-day policy goes further.",
            ["withdrawal", "cancellation right", "consumer rights", "14 days"],
            [
                (
                    "text",
                    "<p>As a consumer in the European Union or Turkey, you have a "
                    "statutory right to withdraw from a purchase made online within <b>14 "
                    "days</b> of receiving it, without giving a reason. You then have "
                    "another 14 days (10 in Turkey) to send the items back. We refund the price "
                    "and the "
                    "standard delivery cost within 14 days of hearing from you, though we "
                    "may wait until the items have arrived or you have shown us the "
                    "shipping receipt.</p><p>Our own return policy is more generous: 30 "
                    "days from delivery, and a refund whatever the reason. Either way, "
                    "starting a return from your account is all you need to do; you can "
                    "also simply write to us saying you withdraw.</p>",
                ),
                (
                    "note",
                    "The right of withdrawal does not cover items made to your "
                    "order, such as embroidered pieces.",
                ),
            ],
        ),
        (
            "14 günlük cayma hakkınız",
            "cayma-hakki",
            "Türkiye ve AB'de yasa, online alışverişten teslimattan itibaren 14 gün içinde "
            "gerekçe göstermeden cayma hakkı tanır. Bizim 30 günlük iade süremiz bunun "
            "da ötesindedir.",
            ["cayma hakkı", "tüketici hakları", "mesafeli satış", "14 gün"],
            [
                (
                    "text",
                    "<p>Türkiye'de Mesafeli Sözleşmeler Yönetmeliği, AB'de ise "
                    "tüketici mevzuatı gereğince online aldığınız bir üründen, teslim "
                    "aldığınız günden itibaren <b>14 gün</b> içinde gerekçe göstermeden "
                    "cayabilirsiniz. Sonrasında ürünü geri göndermek için 10 gününüz daha "
                    "vardır. Cayma bildiriminizden itibaren 14 gün içinde ürün bedelini ve "
                    "standart kargo ücretini iade ederiz; ürünler bize ulaşana ya da kargo "
                    "fişini gösterene kadar bekleyebiliriz.</p><p>Kendi iade koşullarımız "
                    "daha geniştir: teslimattan itibaren 30 gün ve nedeni ne olursa olsun "
                    "para iadesi. Her iki durumda da hesabınızdan iade başlatmanız yeterli; "
                    "dilerseniz caydığınızı bize yazarak da bildirebilirsiniz.</p>",
                ),
                (
                    "note",
                    "Cayma hakkı, nakışlı ürünler gibi kişiye özel hazırlanan ürünleri kapsamaz.",
                ),
            ],
        ),
    ),
]

PAYMENTS = [
    _article(
        "payment-methods",
        "payments",
        ["payment-declined", "invoices-vat"],
        (
            "Payment methods",
            "payment-methods",
            "Pay by Visa, Mastercard or American Express, or with Apple Pay and Google Pay. "
            "Payments are processed securely by Stripe.",
            ["payment", "card", "Apple Pay", "Google Pay"],
            [
                (
                    "text",
                    "<p>We accept Visa, Mastercard and American Express debit and "
                    "credit cards, Apple Pay and Google Pay. Our UK and EU shop charges in "
                    "pounds, our Turkish shop in lira.</p><p>Payments are handled by Stripe, "
                    "a certified payment provider: your card number goes straight to them "
                    "and never reaches our servers. Your bank may ask you to confirm the "
                    "payment in its app (3-D Secure); this is normal.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "When is my card charged?",
                            "When you place the order. If we cannot "
                            "send it, we refund you in full.",
                        ),
                        (
                            "Can I pay in instalments?",
                            "Not at the moment; some Turkish banks "
                            "let you split a card payment afterwards in their app.",
                        ),
                        ("Can I pay by bank transfer?", "No, only by card or wallet."),
                    ],
                ),
            ],
        ),
        (
            "Ödeme yöntemleri",
            "odeme-yontemleri",
            "Visa, Mastercard, American Express, Apple Pay veya Google Pay ile ödeme "
            "yapabilirsiniz. Ödemeler Stripe tarafından güvenle işlenir.",
            ["ödeme", "kredi kartı", "banka kartı", "Apple Pay"],
            [
                (
                    "text",
                    "<p>Visa, Mastercard ve American Express kredi ve banka kartlarını, "
                    "Apple Pay ve Google Pay'i kabul ediyoruz. Türkiye mağazamızda ödemeler "
                    "Türk lirası, İngiltere ve AB mağazamızda sterlin ile alınır.</p><p>"
                    "Ödemeleri sertifikalı bir ödeme kuruluşu olan Stripe işler: kart "
                    "numaranız doğrudan onlara iletilir, bizim sunucularımıza hiç ulaşmaz. "
                    "Bankanız ödemeyi uygulamasında onaylamanızı isteyebilir (3D Secure); bu "
                    "normaldir.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Kartımdan ne zaman çekim yapılır?",
                            "Siparişi verdiğiniz anda. "
                            "Siparişi gönderemezsek tutarın tamamını iade ederiz.",
                        ),
                        (
                            "Taksitle ödeyebilir miyim?",
                            "Şu an taksit seçeneğimiz yok; bazı "
                            "bankalar harcamayı sonradan kendi uygulamalarında taksitlendirmenize "
                            "izin verir.",
                        ),
                        (
                            "Havale veya EFT ile ödeyebilir miyim?",
                            "Hayır, yalnızca kart veya dijital cüzdanla ödeme alıyoruz.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "refund-time",
        "payments",
        ["store-credit", "start-return", "return-policy"],
        (
            "When will I get my refund?",
            "when-will-i-get-my-refund",
            "We refund within three working days of your return arriving. Your bank then "
            "takes 5–10 working days to show the money on your card.",
            ["refund", "money back", "refund time"],
            [
                (
                    "text",
                    "<p>A refund has two stages. First, your return travels to our "
                    "workshop and we check it, which takes up to three working days after it "
                    "arrives. We then send the refund and email you.</p><p>From that email, "
                    "your bank usually needs <b>5–10 working days</b> to show the money on "
                    "your statement. It goes back to the card or wallet you paid with; we "
                    "cannot send it anywhere else. Store credit, by contrast, is ready to "
                    "spend the moment we approve the return.</p>",
                ),
                (
                    "steps",
                    [
                        ("Return on its way", "Follow it on your order's page."),
                        ("Return received", "We check the items within three working days."),
                        (
                            "Refund sent",
                            "You get an email; your bank shows it in 5–10 working days.",
                        ),
                    ],
                ),
                (
                    "note",
                    "If it has been more than ten working days since our refund "
                    "email, ask your bank for the refund's reference, which we can give "
                    "you.",
                ),
            ],
        ),
        (
            "Para iadem ne zaman yapılır?",
            "para-iadesi-ne-zaman",
            "İadeniz bize ulaştıktan sonra üç iş günü içinde ücretini iade ederiz. Tutarın "
            "kartınıza yansıması bankanıza bağlı olarak 5–10 iş günü sürer.",
            ["para iadesi", "geri ödeme", "iade süresi"],
            [
                (
                    "text",
                    "<p>Para iadesi iki aşamada gerçekleşir. Önce iade paketiniz "
                    "atölyemize ulaşır ve kontrol edilir; bu, paket geldikten sonra en fazla "
                    "üç iş günü sürer. Ardından iadeyi yapar ve size e-posta "
                    "göndeririz.</p><p>Bu e-postadan sonra tutarın ekstrenize yansıması "
                    "bankanıza bağlı olarak genellikle <b>5–10 iş günü</b> sürer. Para, "
                    "ödeme yaptığınız kart ya da cüzdana iade edilir; başka bir hesaba "
                    "gönderemiyoruz. Mağaza kredisi ise iade onaylandığı anda "
                    "kullanılabilir.</p>",
                ),
                (
                    "steps",
                    [
                        ("İade yolda", "Siparişinizin sayfasından izleyin."),
                        ("İade teslim alındı", "Ürünleri üç iş günü içinde kontrol ederiz."),
                        (
                            "Para iadesi yapıldı",
                            "Size e-posta gelir; bankanız 5–10 iş günü içinde yansıtır.",
                        ),
                    ],
                ),
                (
                    "note",
                    "İade e-postamızın üzerinden on iş gününden fazla geçtiyse, size "
                    "vereceğimiz iade referans numarasıyla bankanıza başvurun.",
                ),
            ],
        ),
    ),
    _article(
        "store-credit",
        "payments",
        ["refund-time", "gift-cards"],
        (
            "Refunds as store credit",
            "store-credit",
            "Choose store credit when you return something and it is ready to spend as "
            "soon as we approve the return, with no wait for your bank.",
            ["store credit", "credit", "balance"],
            [
                (
                    "text",
                    "<p>When you start a return you can take <b>store credit</b> "
                    "instead of a refund to your card. It is issued the moment we approve "
                    "the return, as a code emailed to you and shown in your account, so you "
                    "can order again straight away.</p><p>Store credit is worth exactly "
                    "what you paid for the returned items, works like a gift card across "
                    "several orders and is valid for two years.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Can I turn store credit back into money?",
                            "No, so choose a card refund if you are not sure you will order again.",
                        ),
                        (
                            "Do I earn points when I spend store credit?",
                            "Yes, on everything you buy with it.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Mağaza kredisi olarak iade",
            "magaza-kredisi",
            "İade başlatırken mağaza kredisini seçin; iadeniz onaylandığı anda, bankayı "
            "beklemeden harcamaya hazırdır.",
            ["mağaza kredisi", "kredi", "bakiye"],
            [
                (
                    "text",
                    "<p>İade başlatırken kartınıza para iadesi yerine <b>mağaza "
                    "kredisi</b> seçebilirsiniz. Kredi, iadeniz onaylandığı anda size "
                    "e-postayla gönderilen ve hesabınızda görünen bir kod olarak tanımlanır; "
                    "hemen yeniden sipariş verebilirsiniz.</p><p>Mağaza kredisi iade "
                    "ettiğiniz ürünlere ödediğiniz tutarın tamamı kadardır, hediye kartı gibi "
                    "birden fazla siparişte kullanılabilir ve iki yıl geçerlidir.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Mağaza kredisini paraya çevirebilir miyim?",
                            "Hayır; yeniden "
                            "sipariş vereceğinizden emin değilseniz karta iadeyi seçin.",
                        ),
                        (
                            "Mağaza kredisiyle alışverişte puan kazanır mıyım?",
                            "Evet, aldığınız her ürün için.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "payment-declined",
        "payments",
        ["payment-methods", "contact-us"],
        (
            "My payment was declined",
            "payment-declined",
            "Most declined payments are stopped by the bank: a security check, a daily "
            "limit or a mistyped detail. Try again or use another card.",
            ["declined", "payment failed", "card error"],
            [
                (
                    "text",
                    "<p>We never see why a bank declines a card, but the usual "
                    "reasons are few: the card details or billing postcode were mistyped, "
                    "the 3-D Secure confirmation timed out, the card's online or foreign "
                    "payments are switched off, or a daily limit was reached.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Check the details",
                            "Card number, expiry date, security code and "
                            "the billing address your bank has.",
                        ),
                        ("Confirm in your bank's app", "Keep the app open while you pay."),
                        ("Try another way", "Another card, Apple Pay or Google Pay."),
                    ],
                ),
                (
                    "note",
                    "A declined payment does not create an order. If you see an "
                    "amount held on your card, your bank releases it within a few days.",
                ),
            ],
        ),
        (
            "Ödemem reddedildi",
            "odeme-reddedildi",
            "Reddedilen ödemelerin çoğunu banka durdurur: güvenlik kontrolü, günlük limit "
            "ya da yanlış girilmiş bir bilgi. Yeniden deneyin veya başka bir kart kullanın.",
            ["ödeme reddedildi", "ödeme hatası", "kart hatası"],
            [
                (
                    "text",
                    "<p>Bir bankanın kartı neden reddettiğini biz göremiyoruz; ama "
                    "nedenler genellikle bellidir: kart bilgileri yanlış girilmiştir, 3D "
                    "Secure onayının süresi dolmuştur, kartın internet ya da yurt dışı "
                    "alışverişi kapalıdır veya günlük limit aşılmıştır.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Bilgileri kontrol edin",
                            "Kart numarası, son kullanma tarihi, "
                            "güvenlik kodu ve bankanızda kayıtlı fatura adresi.",
                        ),
                        (
                            "Bankanızın uygulamasında onaylayın",
                            "Ödeme sırasında uygulamayı açık tutun.",
                        ),
                        ("Başka bir yol deneyin", "Başka bir kart, Apple Pay veya Google Pay."),
                    ],
                ),
                (
                    "note",
                    "Reddedilen ödeme sipariş oluşturmaz. Kartınızda bloke edilmiş "
                    "bir tutar görürseniz bankanız birkaç gün içinde serbest bırakır.",
                ),
            ],
        ),
    ),
    _article(
        "invoices-vat",
        "payments",
        ["payment-methods", "customs-duties"],
        (
            "Invoices and VAT receipts",
            "invoices-and-vat",
            "A VAT invoice is emailed when your order ships and can be downloaded from the "
            "order's page. Business customers can add a company name and VAT number.",
            ["invoice", "VAT", "receipt", "e-invoice"],
            [
                (
                    "text",
                    "<p>We email your invoice when your order ships; it is also on "
                    "the order's page in your account. Prices on our UK and EU shop include "
                    "VAT, shown separately on the invoice.</p><p>Buying for a business? "
                    "Add your company name and VAT number at checkout and they will appear "
                    "on the invoice. We cannot change an invoice after it has been issued, "
                    "so please check them before you pay.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "I need an invoice in another name.",
                            "Write to us before the "
                            "order ships and we will issue it to the name you give.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Fatura ve e-arşiv",
            "fatura-ve-e-arsiv",
            "Siparişiniz kargoya verildiğinde e-arşiv faturanız e-postayla gelir ve "
            "siparişin sayfasından indirilebilir. Kurumsal fatura için vergi bilgilerinizi "
            "ekleyin.",
            ["fatura", "e-arşiv fatura", "kurumsal fatura", "KDV"],
            [
                (
                    "text",
                    "<p>Faturanızı siparişiniz kargoya verildiğinde e-arşiv fatura "
                    "olarak e-postayla göndeririz; hesabınızda siparişin sayfasında da yer "
                    "alır. Fiyatlarımıza KDV dahildir ve faturada ayrıca gösterilir.</p>"
                    "<p>Şirketiniz adına mı alıyorsunuz? Ödeme adımında şirket unvanınızı, "
                    "vergi dairenizi ve vergi numaranızı girin. Kesilen faturayı sonradan "
                    "değiştiremediğimiz için lütfen ödemeden önce bilgileri kontrol "
                    "edin.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Faturayı başka bir isme kestirmem gerekiyor.",
                            "Sipariş kargoya "
                            "verilmeden önce bize yazın, faturayı belirttiğiniz isme keselim.",
                        ),
                    ],
                ),
            ],
        ),
    ),
]

REWARDS = [
    _article(
        "earn-points",
        "rewards",
        ["pending-points", "redeem-points", "tiers"],
        (
            "How to earn points",
            "how-to-earn-points",
            "Members earn 1 point for every £1 (or ₺30) spent on products, plus 100 points "
            "for joining, 50 for a first order and 200 on their birthday.",
            ["points", "loyalty", "rewards program", "earn"],
            [
                (
                    "text",
                    "<p>Harbor & Loom Rewards is free. You join by creating an "
                    "account and verifying your email, and from then on you earn:</p><ul>"
                    "<li><b>1 point for every £1</b> spent on products (₺30 in our Turkish "
                    "shop). Delivery, gift wrap and gift cards earn nothing.</li>"
                    "<li><b>100 points</b> for joining and <b>50 points</b> on your first "
                    "order.</li><li><b>200 points</b> on your birthday.</li><li>More in "
                    "campaigns, such as double points on bedroom linen, and with the "
                    "multiplier of your tier.</li></ul>",
                ),
                (
                    "text",
                    "<p>Orders you placed as a guest with the same email count too: "
                    "their points are waiting for you when you verify the address. See your "
                    "balance at <a href='/rewards/'>Rewards</a>.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Why did I earn fewer points than the order total?",
                            "Delivery and tax are not counted, and points are rounded down.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Nasıl puan kazanırım?",
            "nasil-puan-kazanirim",
            "Üyeler ürünlere harcadıkları her ₺30 (veya £1) için 1 puan, üyelikte 100, ilk "
            "siparişte 50 ve doğum gününde 200 puan kazanır.",
            ["puan", "sadakat programı", "ödül programı", "puan kazanma"],
            [
                (
                    "text",
                    "<p>Harbor & Loom Ödülleri ücretsizdir. Hesap oluşturup e-posta "
                    "adresinizi doğruladığınızda üye olursunuz ve şunları kazanırsınız:</p>"
                    "<ul><li>Ürünlere harcadığınız <b>her ₺30 için 1 puan</b> (İngiltere "
                    "ve AB'de her £1 için). Kargo, hediye paketi ve hediye kartları puan "
                    "kazandırmaz.</li><li>Üyelikte <b>100 puan</b>, ilk siparişinizde "
                    "<b>50 puan</b>.</li><li>Doğum gününüzde <b>200 puan</b>.</li><li>"
                    "Kampanyalarda, örneğin yatak odası ürünlerinde çift puanla, ve "
                    "seviyenizin çarpanıyla daha fazlası.</li></ul>",
                ),
                (
                    "text",
                    "<p>Aynı e-posta adresiyle üye olmadan verdiğiniz siparişler de "
                    "sayılır: adresinizi doğruladığınızda puanları sizi bekliyor olur. "
                    "Bakiyenizi <a href='/tr/rewards/'>Ödüller</a> sayfasında "
                    "görebilirsiniz.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Neden sipariş tutarından az puan kazandım?",
                            "Kargo ve vergiler hesaba katılmaz, puanlar aşağı yuvarlanır.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "pending-points",
        "rewards",
        ["earn-points", "return-policy"],
        (
            "Why are my points pending?",
            "why-are-my-points-pending",
            "Points from an order stay pending for 30 days, while it can still be "
            "returned. Then they become available to spend.",
            ["pending points", "points not showing", "available points"],
            [
                (
                    "text",
                    "<p>Points you earn on an order appear straight away as "
                    "<b>pending</b>. They become <b>available</b> 30 days after the order "
                    "was paid, when the return window has closed. This keeps things fair: "
                    "points are only spent on what you keep.</p><p>If you return part of "
                    "an order, only the points of the returned items are taken back; a "
                    "cancelled order loses its points. Bonuses for joining and for your "
                    "birthday are available at once.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Where can I see when they will be available?",
                            "On the Rewards page, each pending amount shows its date.",
                        ),
                        (
                            "I spent points, then returned an order.",
                            "If the returned "
                            "order's points were already spent, they are taken from your "
                            "other points, and your balance may dip below zero until you earn "
                            "more.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Puanlarım neden beklemede?",
            "puanlarim-neden-beklemede",
            "Bir siparişten kazanılan puanlar, sipariş iade edilebildiği 30 gün boyunca "
            "beklemede kalır; sonra harcanabilir hale gelir.",
            ["bekleyen puan", "puanım görünmüyor", "kullanılabilir puan"],
            [
                (
                    "text",
                    "<p>Bir siparişten kazandığınız puanlar hemen <b>beklemede</b> "
                    "olarak görünür. Sipariş ödendikten 30 gün sonra, iade süresi "
                    "kapandığında <b>kullanılabilir</b> hale gelir. Böylece puanlar yalnızca "
                    "elinizde kalan ürünler için harcanır.</p><p>Siparişin bir kısmını iade "
                    "ederseniz yalnızca iade edilen ürünlerin puanı geri alınır; iptal "
                    "edilen siparişin puanları silinir. Üyelik ve doğum günü puanları ise "
                    "hemen kullanılabilir.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Ne zaman kullanılabilir olacaklarını nereden görürüm?",
                            "Ödüller sayfasında bekleyen her puanın yanında tarihi yazar.",
                        ),
                        (
                            "Puanlarımı harcadıktan sonra siparişi iade ettim.",
                            "İade edilen "
                            "siparişin puanları harcandıysa diğer puanlarınızdan düşülür; yeni "
                            "puan kazanana kadar bakiyeniz eksiye inebilir.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "tiers",
        "rewards",
        ["earn-points", "return-policy"],
        (
            "Bronze, Silver and Gold tiers",
            "bronze-silver-gold-tiers",
            "Earn 250 points in a calendar year for Bronze, 1,500 for Silver and 2,500 for "
            "Gold. Higher tiers earn more points per order and free returns.",
            ["tiers", "levels", "Gold", "Silver", "Bronze"],
            [
                (
                    "text",
                    "<p>Your tier depends on the points you earn in a calendar "
                    "year, bonuses included:</p><ul><li><b>Bronze</b> from 250 points: "
                    "early access to our sales.</li><li><b>Silver</b> from 1,500 points: "
                    "1.25× points on every order and free returns.</li><li><b>Gold</b> "
                    "from 2,500 points: 1.5× points, free returns and a gift on your "
                    "birthday.</li></ul><p>You move up the moment you reach a threshold and "
                    "keep your tier until the end of the year. On 1 January, the points you "
                    "earned in the year just ended decide your tier for the new one.</p>",
                ),
                ("note", "Points taken back for returns also count against your tier's progress."),
            ],
        ),
        (
            "Bronze, Silver ve Gold seviyeleri",
            "bronze-silver-gold-seviyeleri",
            "Bir takvim yılında 250 puanla Bronze, 1.500 puanla Silver, 2.500 puanla Gold "
            "olursunuz. Üst seviyelerde siparişlerden daha çok puan ve ücretsiz iade var.",
            ["seviye", "üyelik seviyesi", "Gold", "Silver", "Bronze"],
            [
                (
                    "text",
                    "<p>Seviyeniz, bir takvim yılında bonuslar dahil kazandığınız "
                    "puanlara göre belirlenir:</p><ul><li><b>Bronze</b>, 250 puandan "
                    "itibaren: indirimlere erken erişim.</li><li><b>Silver</b>, 1.500 "
                    "puandan itibaren: her siparişte 1,25 kat puan ve ücretsiz iade.</li>"
                    "<li><b>Gold</b>, 2.500 puandan itibaren: 1,5 kat puan, ücretsiz iade ve "
                    "doğum gününüzde bir hediye.</li></ul><p>Eşiğe ulaştığınız anda bir üst "
                    "seviyeye geçer, yıl sonuna kadar o seviyede kalırsınız. 1 Ocak'ta, biten "
                    "yılda kazandığınız puanlar yeni yıldaki seviyenizi belirler.</p>",
                ),
                ("note", "İadeler nedeniyle geri alınan puanlar seviye ilerlemenizden de düşülür."),
            ],
        ),
    ),
    _article(
        "redeem-points",
        "rewards",
        ["earn-points", "points-expiry"],
        (
            "Redeem points for a discount code",
            "redeem-points",
            "Spend available points on a reward at /rewards/: free shipping, money off or "
            "a gift. You get a single-use discount code to enter at checkout.",
            ["redeem", "discount code", "use points", "rewards"],
            [
                (
                    "text",
                    "<p>Rewards start at 300 points. In our catalogue you will find "
                    "free shipping (300 points), £5 or ₺150 off an order (500 points), 10% "
                    "off one order (800 points) and our stoneware mug (1,200 points), "
                    "among others.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Open Rewards",
                            "Sign in and go to <a href='/rewards/'>Rewards</a>. "
                            "Rewards you can afford now are marked.",
                        ),
                        (
                            "Choose a reward",
                            "Press <b>Redeem</b> and confirm. The points leave your balance.",
                        ),
                        (
                            "Use the code",
                            "Copy the code shown (it is also emailed) and enter "
                            "it at checkout in the discount code field.",
                        ),
                    ],
                ),
                (
                    "faq",
                    [
                        ("Can I use two codes on one order?", "Only one reward code per order."),
                        (
                            "I redeemed the wrong reward.",
                            "If you have not used the code yet, "
                            "write to us: we void it and return your points.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Puanlarımı nasıl kullanırım?",
            "puan-kullanma",
            "Kullanılabilir puanlarınızı Ödüller sayfasında ücretsiz kargo, indirim ya da "
            "hediye için harcayın; ödeme adımında gireceğiniz tek kullanımlık bir kod "
            "alırsınız.",
            ["puan kullanma", "indirim kodu", "puan harcama", "ödüller"],
            [
                (
                    "text",
                    "<p>Ödüller 300 puandan başlar. Kataloğumuzda ücretsiz kargo "
                    "(300 puan), siparişte ₺150 veya £5 indirim (500 puan), bir siparişte %10 "
                    "indirim (800 puan) ve taş kupa (1.200 puan) gibi ödüller "
                    "bulunur.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Ödüller sayfasını açın",
                            "Giriş yapın ve <a href='/tr/rewards/'>"
                            "Ödüller</a> sayfasına gidin. Puanınızın yettiği ödüller "
                            "işaretlidir.",
                        ),
                        (
                            "Ödülü seçin",
                            "<b>Kullan</b> düğmesine basıp onaylayın. Puanlar "
                            "bakiyenizden düşülür.",
                        ),
                        (
                            "Kodu kullanın",
                            "Görünen kodu kopyalayın (e-postayla da gelir) ve "
                            "ödeme adımında indirim kodu alanına girin.",
                        ),
                    ],
                ),
                (
                    "faq",
                    [
                        (
                            "Bir siparişte iki kod kullanabilir miyim?",
                            "Her siparişte yalnızca bir ödül kodu kullanılabilir.",
                        ),
                        (
                            "Yanlış ödülü seçtim.",
                            "Kodu henüz kullanmadıysanız bize yazın; "
                            "kodu iptal edip puanlarınızı geri yükleriz.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "points-expiry",
        "rewards",
        ["redeem-points", "earn-points"],
        (
            "When do my points expire?",
            "points-expiry",
            "Points expire 12 months after you earn them. We email you 14 days before, "
            "and the soonest-to-expire points are always spent first.",
            ["expiry", "expired points", "points expire"],
            [
                (
                    "text",
                    "<p>Each batch of points expires <b>12 months</b> after it was "
                    "earned. The Rewards page shows how many points expire soon and when, "
                    "and we send you a reminder 14 days before, unless you have turned "
                    "points emails off.</p><p>When you redeem a reward we always spend the "
                    "points closest to expiry first, so nothing expires that you could "
                    "have used.</p>",
                ),
                (
                    "warning",
                    "Expired points cannot be restored, even by our team. A "
                    "free shipping reward costs only 300 points: a good use for a small "
                    "balance.",
                ),
            ],
        ),
        (
            "Puanlarımın süresi ne zaman doluyor?",
            "puanlarin-suresi",
            "Puanlar kazanıldıktan 12 ay sonra silinir. 14 gün önce size e-posta "
            "göndeririz; harcamalarda her zaman süresi en yakın dolan puanlar kullanılır.",
            ["puan süresi", "süresi dolan puan", "puan silinmesi"],
            [
                (
                    "text",
                    "<p>Kazandığınız her puan grubunun süresi kazanıldıktan <b>12 ay"
                    "</b> sonra dolar. Ödüller sayfası yakında silinecek puanları ve "
                    "tarihlerini gösterir; puan e-postalarını kapatmadıysanız 14 gün önce "
                    "size hatırlatma da göndeririz.</p><p>Bir ödül aldığınızda her zaman "
                    "önce süresi en yakın dolacak puanlar harcanır; böylece kullanabileceğiniz "
                    "puanlar boşa gitmez.</p>",
                ),
                (
                    "warning",
                    "Süresi dolan puanları ekibimiz de geri yükleyemez. Ücretsiz "
                    "kargo ödülü yalnızca 300 puandır: küçük bir bakiye için iyi bir "
                    "seçenek.",
                ),
            ],
        ),
    ),
    _article(
        "refer-friend",
        "rewards",
        ["earn-points", "redeem-points"],
        (
            "Refer a friend",
            "refer-a-friend",
            "Share your personal link: your friend gets money off their first order, and "
            "you earn 500 points once their order can no longer be returned.",
            ["referral", "invite", "friend", "referral link"],
            [
                (
                    "text",
                    "<p>You will find your personal referral link on the Rewards "
                    "page, with a copy button and a count of the friends you have "
                    "invited.</p>",
                ),
                (
                    "steps",
                    [
                        ("Share your link", "Send it to a friend by message or email."),
                        (
                            "Your friend claims the gift",
                            "They open the link, enter their "
                            "email and get a single-use code for money off their first order.",
                        ),
                        (
                            "You earn points",
                            "When their first order is past its 30-day "
                            "return window, 500 points are added to your balance and we email "
                            "you.",
                        ),
                    ],
                ),
                (
                    "faq",
                    [
                        (
                            "Can I refer myself or someone in my household?",
                            "No. Referrals "
                            "from the same address or for your own email are held for review.",
                        ),
                        (
                            "My friend already has an account.",
                            "Referrals are for new customers who have not ordered before.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Arkadaşını davet et",
            "arkadasini-davet-et",
            "Size özel bağlantıyı paylaşın: arkadaşınız ilk siparişinde indirim kazanır, "
            "siparişinin iade süresi dolunca siz 500 puan kazanırsınız.",
            ["davet", "arkadaş daveti", "referans", "davet bağlantısı"],
            [
                (
                    "text",
                    "<p>Size özel davet bağlantınızı, kopyalama düğmesi ve davet "
                    "ettiğiniz arkadaşlarınızın sayısıyla birlikte Ödüller sayfasında "
                    "bulabilirsiniz.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Bağlantınızı paylaşın",
                            "Mesaj veya e-postayla bir arkadaşınıza gönderin.",
                        ),
                        (
                            "Arkadaşınız hediyesini alır",
                            "Bağlantıyı açar, e-posta adresini "
                            "girer ve ilk siparişinde geçerli tek kullanımlık bir indirim kodu "
                            "alır.",
                        ),
                        (
                            "Siz puan kazanırsınız",
                            "İlk siparişinin 30 günlük iade süresi "
                            "dolduğunda bakiyenize 500 puan eklenir ve size e-posta "
                            "göndeririz.",
                        ),
                    ],
                ),
                (
                    "faq",
                    [
                        (
                            "Kendimi ya da aynı evdeki birini davet edebilir miyim?",
                            "Hayır. "
                            "Aynı adresten gelen ya da sizin e-postanızla yapılan davetler "
                            "incelemeye alınır.",
                        ),
                        (
                            "Arkadaşımın zaten hesabı var.",
                            "Davetler daha önce sipariş vermemiş yeni müşteriler içindir.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "birthday-bonus",
        "rewards",
        ["earn-points", "tiers"],
        (
            "Your birthday bonus",
            "birthday-bonus",
            "Add your birthday on the Rewards page at least 30 days ahead and receive 200 "
            "points on the day, every year.",
            ["birthday", "birthday points", "bonus"],
            [
                (
                    "text",
                    "<p>Tell us your birthday, only the day and month, on the "
                    "<a href='/rewards/'>Rewards</a> page, and every year on that morning "
                    "we add <b>200 points</b> to your balance and send you a birthday "
                    "email. Gold members also receive a small gift with their next "
                    "order.</p>",
                ),
                (
                    "note",
                    "Add your birthday at least 30 days before it: a birthday "
                    "added later earns its first bonus the following year. Born on 29 "
                    "February? Your points arrive on 28 February in other years.",
                ),
                (
                    "faq",
                    [
                        (
                            "I entered the wrong date.",
                            "You can give your birthday only once. "
                            "Write to us and our team will correct it.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Doğum günü puanı",
            "dogum-gunu-puani",
            "Doğum gününüzü en az 30 gün önceden Ödüller sayfasına ekleyin; her yıl o gün "
            "200 puan kazanın.",
            ["doğum günü", "doğum günü puanı", "bonus"],
            [
                (
                    "text",
                    "<p>Doğum gününüzü, yalnızca gün ve ayı, <a href='/tr/rewards/'>"
                    "Ödüller</a> sayfasında bize bildirin; her yıl o sabah bakiyenize "
                    "<b>200 puan</b> ekler ve size bir doğum günü e-postası göndeririz. Gold "
                    "üyeler bir sonraki siparişleriyle birlikte küçük bir hediye de "
                    "alır.</p>",
                ),
                (
                    "note",
                    "Doğum gününüzü en az 30 gün önceden ekleyin: daha geç eklenen "
                    "doğum günü ilk puanını bir sonraki yıl kazandırır. 29 Şubat'ta mı "
                    "doğdunuz? Diğer yıllarda puanlarınız 28 Şubat'ta gelir.",
                ),
                (
                    "faq",
                    [
                        (
                            "Tarihi yanlış girdim.",
                            "Doğum gününüzü yalnızca bir kez "
                            "girebilirsiniz. Bize yazın, ekibimiz düzeltsin.",
                        ),
                    ],
                ),
            ],
        ),
    ),
]

ACCOUNT = [
    _article(
        "create-account",
        "account",
        ["verify-email", "earn-points"],
        (
            "Create an account",
            "create-an-account",
            "An account shows all your orders, lets you start returns in a few clicks and "
            "makes you a member of our rewards program.",
            ["sign up", "register", "account", "guest"],
            [
                (
                    "text",
                    "<p>You don't need an account to order, but it makes life "
                    "easier: every order in one place, tracking without order numbers, "
                    "returns in a few clicks, and reward points on everything you "
                    "buy.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Sign up",
                            "Press <b>Sign in</b> at the top of any page, then "
                            "<b>Sign up</b>, and enter your email and a password.",
                        ),
                        (
                            "Verify your email",
                            "Open the link we email you. This proves the address is yours.",
                        ),
                        (
                            "See your orders",
                            "Orders placed with that email, even as a guest, "
                            "now appear under <b>Account → Orders</b>, with their points.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Hesap oluşturma",
            "hesap-olusturma",
            "Hesabınızla tüm siparişlerinizi görür, birkaç tıkla iade başlatır ve ödül "
            "programımıza üye olursunuz.",
            ["üye ol", "kayıt", "hesap", "üyeliksiz sipariş"],
            [
                (
                    "text",
                    "<p>Sipariş vermek için hesap gerekmez; ama hesap işinizi "
                    "kolaylaştırır: tüm siparişleriniz tek yerde, sipariş numarası olmadan "
                    "kargo takibi, birkaç tıkla iade ve aldığınız her üründen puan.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Üye olun",
                            "Sayfanın üst kısmındaki <b>Giriş yap</b>'a, ardından "
                            "<b>Üye ol</b>'a basın; e-posta adresinizi ve bir şifre girin.",
                        ),
                        (
                            "E-postanızı doğrulayın",
                            "Size gönderdiğimiz bağlantıyı açın. Bu, "
                            "adresin size ait olduğunu kanıtlar.",
                        ),
                        (
                            "Siparişlerinizi görün",
                            "O e-postayla verdiğiniz siparişler, üye "
                            "olmadan verdikleriniz de dahil, puanlarıyla birlikte <b>Hesabım → "
                            "Siparişlerim</b> bölümünde görünür.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "sign-in-code",
        "account",
        ["reset-password", "create-account"],
        (
            "Sign in with an emailed code",
            "sign-in-with-a-code",
            "No password to hand? Ask for a sign-in code by email and type it in. The "
            "code works once and only for a few minutes.",
            ["sign in", "login", "code", "log in"],
            [
                (
                    "text",
                    "<p>You can sign in with your password or, if you prefer, with "
                    "a one-time code we email to you.</p>",
                ),
                (
                    "steps",
                    [
                        ("Open Sign in", "Choose <b>Send me a sign-in code</b>."),
                        (
                            "Enter your email",
                            "We send a short code to the address of your account.",
                        ),
                        (
                            "Type the code",
                            "Enter it on the same page within a few minutes. You are signed in.",
                        ),
                    ],
                ),
                (
                    "note",
                    "Our team will never ask you for a sign-in code. If you receive "
                    "one you did not ask for, ignore it: nobody can use it without access "
                    "to your email.",
                ),
                (
                    "faq",
                    [
                        (
                            "The code did not arrive.",
                            "Check your spam folder, wait a minute, and ask for a new code.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "E-postayla gelen kodla giriş",
            "kodla-giris",
            "Şifreniz aklınızda değil mi? E-postanıza bir giriş kodu isteyin ve girin. Kod "
            "yalnızca bir kez ve birkaç dakika geçerlidir.",
            ["giriş yap", "oturum açma", "giriş kodu", "kod"],
            [
                (
                    "text",
                    "<p>Şifrenizle ya da dilerseniz e-postanıza gönderdiğimiz tek "
                    "kullanımlık bir kodla giriş yapabilirsiniz.</p>",
                ),
                (
                    "steps",
                    [
                        ("Giriş sayfasını açın", "<b>Bana giriş kodu gönder</b> seçeneğine basın."),
                        (
                            "E-posta adresinizi girin",
                            "Hesabınızın adresine kısa bir kod göndeririz.",
                        ),
                        (
                            "Kodu yazın",
                            "Birkaç dakika içinde aynı sayfaya girin; oturumunuz açılır.",
                        ),
                    ],
                ),
                (
                    "note",
                    "Ekibimiz sizden asla giriş kodu istemez. İstemediğiniz bir kod "
                    "gelirse dikkate almayın: e-postanıza erişimi olmayan kimse onu "
                    "kullanamaz.",
                ),
                (
                    "faq",
                    [
                        (
                            "Kod gelmedi.",
                            "Spam klasörüne bakın, bir dakika bekleyin ve yeni bir kod isteyin.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "verify-email",
        "account",
        ["create-account", "confirmation-email"],
        (
            "Verify your email address",
            "verify-your-email",
            "Verifying your email links your orders and points to your account. Open the "
            "link we send, or ask for a new one from your account.",
            ["verify email", "verification", "confirm email"],
            [
                (
                    "text",
                    "<p>We ask you to verify your email because your orders and "
                    "points follow it: an order is only shown in an account whose owner has "
                    "proved the address is theirs. Until then you can sign in, but your "
                    "orders and rewards stay hidden.</p>",
                ),
                (
                    "steps",
                    [
                        ("Open our email", "Subject: <i>Please confirm your email address</i>."),
                        ("Press the link", "You are signed in and your orders appear."),
                        (
                            "Link expired?",
                            "Go to <b>Account → Email addresses</b> and press "
                            "<b>Re-send verification</b>.",
                        ),
                    ],
                ),
                (
                    "faq",
                    [
                        (
                            "Can I add a second email?",
                            "Yes, under Account → Email addresses. "
                            "Orders placed with either verified address appear in your "
                            "account.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "E-posta adresinizi doğrulayın",
            "e-posta-dogrulama",
            "E-postanızı doğruladığınızda siparişleriniz ve puanlarınız hesabınıza "
            "bağlanır. Gönderdiğimiz bağlantıyı açın ya da hesabınızdan yenisini isteyin.",
            ["e-posta doğrulama", "doğrulama", "e-posta onayı"],
            [
                (
                    "text",
                    "<p>E-postanızı doğrulamanızı istiyoruz, çünkü siparişleriniz "
                    "ve puanlarınız bu adrese bağlıdır: bir sipariş yalnızca adresin "
                    "kendisine ait olduğunu kanıtlamış kişinin hesabında görünür. O zamana "
                    "kadar giriş yapabilirsiniz, ama siparişleriniz ve ödülleriniz "
                    "görünmez.</p>",
                ),
                (
                    "steps",
                    [
                        ("E-postamızı açın", "Konu: <i>Lütfen e-posta adresinizi onaylayın</i>."),
                        ("Bağlantıya basın", "Oturumunuz açılır ve siparişleriniz görünür."),
                        (
                            "Bağlantının süresi mi doldu?",
                            "<b>Hesabım → E-posta adresleri</b> "
                            "bölümünden <b>Doğrulamayı yeniden gönder</b>'e basın.",
                        ),
                    ],
                ),
                (
                    "faq",
                    [
                        (
                            "İkinci bir e-posta ekleyebilir miyim?",
                            "Evet, Hesabım → E-posta "
                            "adresleri bölümünden. Doğrulanmış iki adresle verilen siparişler de "
                            "hesabınızda görünür.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "reset-password",
        "account",
        ["sign-in-code", "verify-email"],
        (
            "Reset your password",
            "reset-your-password",
            "Forgot your password? Ask for a reset link on the sign-in page and choose a "
            "new one. Or sign in with an emailed code instead.",
            ["password", "forgot password", "reset", "can't sign in"],
            [
                (
                    "steps",
                    [
                        ("Open Sign in", "Press <b>Forgot your password?</b>"),
                        (
                            "Enter your email",
                            "We send a reset link if an account uses that "
                            "address. For your privacy the page looks the same either way.",
                        ),
                        (
                            "Choose a new password",
                            "Open the link, type the new password twice and you are signed in.",
                        ),
                    ],
                ),
                (
                    "text",
                    "<p>A good password is long rather than clever: three or four "
                    "unrelated words work well. We never send your password by email, and "
                    "our team cannot see it.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "The reset email did not arrive.",
                            "Check spam, and that you used "
                            "the address of your account; maybe you ordered with another one.",
                        ),
                        (
                            "The link says it is invalid.",
                            "Links work once. Ask for a new one and use the latest email.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Şifre sıfırlama",
            "sifre-sifirlama",
            "Şifrenizi mi unuttunuz? Giriş sayfasından sıfırlama bağlantısı isteyip yeni "
            "bir şifre belirleyin ya da e-postayla gelen kodla giriş yapın.",
            ["şifre", "şifremi unuttum", "sıfırlama", "giriş yapamıyorum"],
            [
                (
                    "steps",
                    [
                        ("Giriş sayfasını açın", "<b>Şifremi unuttum</b>'a basın."),
                        (
                            "E-posta adresinizi girin",
                            "Bu adresle bir hesap varsa sıfırlama "
                            "bağlantısı göndeririz. Gizliliğiniz için sayfa her iki durumda da "
                            "aynı görünür.",
                        ),
                        (
                            "Yeni şifrenizi belirleyin",
                            "Bağlantıyı açın, yeni şifreyi iki kez yazın; oturumunuz açılır.",
                        ),
                    ],
                ),
                (
                    "text",
                    "<p>İyi bir şifre karmaşık değil, uzun olandır: birbiriyle "
                    "ilgisiz üç dört kelime iyi iş görür. Şifrenizi asla e-postayla "
                    "göndermeyiz; ekibimiz de göremez.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Sıfırlama e-postası gelmedi.",
                            "Spam klasörüne bakın ve hesabınızın "
                            "adresini yazdığınızdan emin olun; belki başka bir adresle sipariş "
                            "verdiniz.",
                        ),
                        (
                            "Bağlantı geçersiz diyor.",
                            "Bağlantılar bir kez çalışır. Yenisini "
                            "isteyin ve en son gelen e-postayı kullanın.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "update-details",
        "account",
        ["privacy", "verify-email"],
        (
            "Change your details or delete your account",
            "change-details-or-delete-account",
            "Update your name, language and email addresses in your account. To close "
            "your account and erase your data, write to us.",
            ["profile", "change email", "delete account", "language"],
            [
                (
                    "text",
                    "<p>Under <b>Account</b> you can change your name and the "
                    "language of our emails and pages (English or Turkish), add or remove "
                    "email addresses and choose which one is primary. Delivery addresses "
                    "are entered with each order, so there is nothing to update there.</p>"
                    "<p>To close your account, write to us from the address of the account. "
                    "We erase your personal data within 30 days, except what the law "
                    "requires us to keep, such as invoices.</p>",
                ),
                (
                    "warning",
                    "Closing your account cancels your points and unused reward "
                    "codes. Spend them first.",
                ),
            ],
        ),
        (
            "Bilgilerimi değiştirme veya hesabımı silme",
            "bilgileri-degistirme-veya-hesap-silme",
            "Adınızı, dil tercihinizi ve e-posta adreslerinizi hesabınızdan "
            "güncelleyebilirsiniz. Hesabınızı kapatıp verilerinizi sildirmek için bize "
            "yazın.",
            ["profil", "e-posta değiştirme", "hesap silme", "dil"],
            [
                (
                    "text",
                    "<p><b>Hesabım</b> bölümünden adınızı, e-postalarımızın ve "
                    "sayfalarımızın dilini (Türkçe veya İngilizce) değiştirebilir, e-posta "
                    "adresi ekleyip çıkarabilir ve birincil adresinizi seçebilirsiniz. "
                    "Teslimat adresi her siparişte girildiğinden orada güncellenecek bir şey "
                    "yoktur.</p><p>Hesabınızı kapatmak için hesabınızın adresinden bize "
                    "yazın. Kişisel verilerinizi, faturalar gibi yasal olarak saklamamız "
                    "gerekenler dışında, 30 gün içinde sileriz.</p>",
                ),
                (
                    "warning",
                    "Hesabınızı kapatmak puanlarınızı ve kullanılmamış ödül "
                    "kodlarınızı da iptal eder. Önce onları harcayın.",
                ),
            ],
        ),
    ),
]

CARE = [
    _article(
        "wash-linen",
        "care",
        ["linen-character", "towel-care"],
        (
            "How to wash and dry linen",
            "wash-and-dry-linen",
            "Wash linen at 40 °C on a gentle cycle with a mild detergent, skip the "
            "softener and dry it on a line or on low heat. It gets softer with every wash.",
            ["linen care", "washing", "bedding", "ironing"],
            [
                (
                    "text",
                    "<p>Our linen is stonewashed before it leaves the workshop, so it "
                    "is soft from the first night and will not shrink much more. Treat it "
                    "simply and it will last for years.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Wash at 40 °C",
                            "On a gentle cycle, with similar colours and a "
                            "mild liquid detergent. Do not overload the drum.",
                        ),
                        (
                            "Skip softener and bleach",
                            "Softener coats the fibres and makes "
                            "linen less absorbent; bleach weakens it.",
                        ),
                        (
                            "Dry gently",
                            "On a line in the shade, or tumble dry on low and "
                            "take it out while slightly damp.",
                        ),
                        (
                            "Iron if you like",
                            "Iron while damp on a medium setting, or enjoy the natural creases.",
                        ),
                    ],
                ),
                ("note", "Wash white linen at up to 60 °C to keep it bright."),
            ],
        ),
        (
            "Keten nasıl yıkanır ve kurutulur?",
            "keten-yikama-ve-kurutma",
            "Keteni 40 °C'de hassas programda, yumuşak bir deterjanla yıkayın; yumuşatıcı "
            "kullanmayın, ipte ya da düşük ısıda kurutun. Her yıkamada daha da yumuşar.",
            ["keten bakımı", "yıkama", "nevresim", "ütü"],
            [
                (
                    "text",
                    "<p>Ketenlerimiz atölyeden çıkmadan önce taşla yıkanır; bu "
                    "yüzden ilk geceden yumuşaktır ve pek çekmez. Basit bir bakımla yıllarca "
                    "dayanır.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "40 °C'de yıkayın",
                            "Hassas programda, benzer renklerle ve yumuşak "
                            "bir sıvı deterjanla. Makineyi aşırı doldurmayın.",
                        ),
                        (
                            "Yumuşatıcı ve çamaşır suyu kullanmayın",
                            "Yumuşatıcı lifleri "
                            "kaplar ve keteni daha az emici yapar; çamaşır suyu ise lifleri "
                            "zayıflatır.",
                        ),
                        (
                            "Nazikçe kurutun",
                            "Gölgede ipte ya da kurutma makinesinde düşük "
                            "ısıda kurutun, hafif nemliyken çıkarın.",
                        ),
                        (
                            "Dilerseniz ütüleyin",
                            "Nemliyken orta ısıda ütüleyin ya da doğal "
                            "kırışıklıkların tadını çıkarın.",
                        ),
                    ],
                ),
                ("note", "Beyaz keteni parlak kalması için 60 °C'ye kadar yıkayabilirsiniz."),
            ],
        ),
    ),
    _article(
        "wool-throw-care",
        "care",
        ["wash-linen", "product-origin"],
        (
            "Caring for wool throws",
            "wool-throw-care",
            "Air your wool throw often, spot clean marks, and wash it rarely: by hand or "
            "on a wool cycle at 30 °C, dried flat away from heat.",
            ["wool", "throw", "blanket", "pilling"],
            [
                (
                    "text",
                    "<p>Wool cleans itself remarkably well. Most of the time an "
                    "airing on a dry day is all a throw needs, and marks come out with a "
                    "damp cloth and a little wool detergent.</p><p>When it does need a "
                    "wash, use a wool or hand-wash cycle at 30 °C with a wool detergent, and "
                    "a slow spin. Dry it flat on a towel, away from radiators and direct "
                    "sun, and never tumble dry it: heat and tumbling felt wool.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "My throw is pilling.",
                            "Small bobbles are normal in the first "
                            "weeks as loose fibres work free. Remove them with a wool comb; they "
                            "stop appearing.",
                        ),
                        (
                            "How do I store it in summer?",
                            "Clean, folded, in a cotton bag with a cedar block against moths.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Yün şal ve battaniye bakımı",
            "yun-sal-bakimi",
            "Yün şalınızı sık sık havalandırın, lekeleri yerinde temizleyin ve seyrek "
            "yıkayın: elde ya da 30 °C yünlü programında yıkayıp sererek kurutun.",
            ["yün", "şal", "battaniye", "tüylenme"],
            [
                (
                    "text",
                    "<p>Yün kendini şaşırtıcı derecede iyi temizler. Çoğu zaman kuru "
                    "bir günde havalandırmak yeterlidir; lekeler nemli bir bez ve biraz yünlü "
                    "deterjanıyla çıkar.</p><p>Yıkamanız gerektiğinde 30 °C'de yünlü ya da "
                    "elde yıkama programını, yünlü deterjanını ve düşük sıkmayı kullanın. "
                    "Kalorifer ve doğrudan güneşten uzakta, bir havlunun üzerine sererek "
                    "kurutun; asla kurutma makinesine atmayın: ısı ve çalkalanma yünü "
                    "keçeleştirir.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Şalım tüylendi.",
                            "İlk haftalarda gevşek lifler ayrıldıkça küçük "
                            "topaklar oluşması normaldir. Bir yün tarağıyla alın; zamanla "
                            "oluşmaz.",
                        ),
                        (
                            "Yazın nasıl saklamalıyım?",
                            "Temiz ve katlanmış halde, pamuklu bir "
                            "torbada, güvelere karşı bir parça sedir ağacıyla.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "towel-care",
        "care",
        ["wash-linen", "linen-character"],
        (
            "Linen towels: the first wash and after",
            "linen-towel-care",
            "Wash new linen towels before first use; they become more absorbent with each "
            "wash. Skip softener, and dry them quickly.",
            ["towels", "absorbent", "first wash"],
            [
                (
                    "text",
                    "<p>Linen towels feel different from cotton terry: thinner, "
                    "lighter, and they dry much faster, which keeps them fresh. They reach "
                    "their best after a few washes, as the fibres open up and soften.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Wash before use",
                            "At 40 °C, on their own the first time, as some colour may run.",
                        ),
                        ("No softener", "It makes towels repel water instead of absorbing it."),
                        ("Dry quickly", "Hang them spread out, or tumble dry on low."),
                    ],
                ),
                (
                    "faq",
                    [
                        (
                            "Why doesn't my towel absorb well?",
                            "New linen has natural waxes "
                            "that wash out in the first two or three washes.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Keten havlular: ilk yıkama ve sonrası",
            "keten-havlu-bakimi",
            "Yeni keten havlularınızı kullanmadan önce yıkayın; her yıkamada daha çok su "
            "emerler. Yumuşatıcı kullanmayın ve çabuk kurutun.",
            ["havlu", "emicilik", "ilk yıkama"],
            [
                (
                    "text",
                    "<p>Keten havlular pamuklu havlulardan farklıdır: daha ince ve "
                    "hafiftir, çok daha çabuk kurur ve bu sayede hep taze kalır. Birkaç "
                    "yıkamadan sonra lifler açılıp yumuşadıkça en iyi hallerine "
                    "ulaşırlar.</p>",
                ),
                (
                    "steps",
                    [
                        (
                            "Kullanmadan önce yıkayın",
                            "İlk seferde biraz boya verebileceği için tek başına, 40 °C'de.",
                        ),
                        (
                            "Yumuşatıcı kullanmayın",
                            "Yumuşatıcı havlunun suyu emmek yerine itmesine yol açar.",
                        ),
                        ("Çabuk kurutun", "Açarak asın ya da düşük ısıda kurutun."),
                    ],
                ),
                (
                    "faq",
                    [
                        (
                            "Havlum neden suyu iyi emmiyor?",
                            "Yeni ketende doğal mumlar bulunur; ilk iki üç yıkamada bunlar çıkar.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "sheet-sizes",
        "care",
        ["exchange", "wash-linen"],
        (
            "Sheet and duvet cover sizes",
            "sheet-sizes",
            "Our sheet sets come in Single, Double, King and Super King. Measure your "
            "mattress, including its depth, to choose the right fitted sheet.",
            ["size guide", "sizes", "duvet cover", "fitted sheet", "mattress"],
            [
                (
                    "text",
                    "<p>Our sheet sets are sized for UK and European beds:</p><ul>"
                    "<li><b>Single:</b> fitted sheet 90 × 190 cm, duvet cover 135 × 200 "
                    "cm</li><li><b>Double:</b> 140 × 190 cm, duvet cover 200 × 200 cm</li>"
                    "<li><b>King:</b> 160 × 200 cm, duvet cover 220 × 220 cm</li><li><b>"
                    "Super King:</b> 180 × 200 cm, duvet cover 260 × 220 cm</li></ul><p>"
                    "Fitted sheets have 35 cm deep pockets and fit mattresses up to 32 cm "
                    "deep, toppers included.</p>",
                ),
                (
                    "note",
                    "Chose the wrong size? Unwashed bedding can be exchanged within "
                    "30 days of delivery, and the new size is sent free.",
                ),
            ],
        ),
        (
            "Çarşaf ve nevresim ölçüleri",
            "carsaf-ve-nevresim-olculeri",
            "Nevresim takımlarımız Tek, Çift, King ve Super King ölçülerindedir. Doğru "
            "lastikli çarşaf için yatağınızı yüksekliği dahil ölçün.",
            ["ölçü tablosu", "ölçüler", "nevresim", "lastikli çarşaf", "yatak"],
            [
                (
                    "text",
                    "<p>Nevresim takımlarımız Avrupa standart yataklarına göre "
                    "ölçülendirilir:</p><ul><li><b>Tek kişilik:</b> lastikli çarşaf 90 × 190 "
                    "cm, nevresim 135 × 200 cm</li><li><b>Çift kişilik:</b> 140 × 190 cm, "
                    "nevresim 200 × 200 cm</li><li><b>King:</b> 160 × 200 cm, nevresim 220 × "
                    "220 cm</li><li><b>Super King:</b> 180 × 200 cm, nevresim 260 × 220 cm"
                    "</li></ul><p>Lastikli çarşafların köşe derinliği 35 cm'dir; yatak "
                    "pedi dahil 32 cm yüksekliğe kadar yataklara uyar.</p>",
                ),
                (
                    "note",
                    "Yanlış ölçü mü seçtiniz? Yıkanmamış nevresimleri teslimattan "
                    "itibaren 30 gün içinde değiştirebilirsiniz; yeni ölçü ücretsiz "
                    "gönderilir.",
                ),
            ],
        ),
    ),
    _article(
        "linen-character",
        "care",
        ["wash-linen", "damaged-item"],
        (
            "Creases, slubs and colour: the nature of linen",
            "nature-of-linen",
            "Creases, small slubs in the weave and slight colour differences between "
            "batches are part of real linen, not faults.",
            ["linen", "creases", "shrinkage", "colour difference"],
            [
                (
                    "text",
                    "<p>Linen is woven from flax, a plant fibre with a character "
                    "of its own. A few things surprise people the first time:</p><ul>"
                    "<li><b>Creases</b> appear as soon as you use it. They relax in the "
                    "bed and are part of the relaxed look.</li><li><b>Slubs</b>, small "
                    "thicker threads in the weave, are natural and do not weaken the "
                    "fabric.</li><li><b>Colours</b> vary slightly between batches, since "
                    "we dye in small lots. If you are matching a set, order the pieces "
                    "together.</li><li><b>Shrinkage</b> is at most 3% after the first "
                    "wash, because we stonewash before sewing.</li></ul>",
                ),
                (
                    "note",
                    "A hole, a pulled seam or colour that runs onto other washing "
                    "is a fault: we replace it.",
                ),
            ],
        ),
        (
            "Kırışıklık, düğümcük ve renk: ketenin doğası",
            "ketenin-dogasi",
            "Kırışıklıklar, dokumadaki küçük düğümcükler ve partiler arasındaki hafif renk "
            "farkları gerçek ketenin doğasıdır, kusur değildir.",
            ["keten", "kırışıklık", "çekme", "renk farkı"],
            [
                (
                    "text",
                    "<p>Keten, kendine has bir karakteri olan bitkisel bir lif olan "
                    "ketenden dokunur. İlk kez kullananları şaşırtan birkaç şey var:</p><ul>"
                    "<li><b>Kırışıklıklar</b> kullanır kullanmaz oluşur. Yatakta yumuşar ve "
                    "rahat görünümün bir parçasıdır.</li><li><b>Düğümcükler</b>, yani "
                    "dokumadaki küçük kalın iplikler doğaldır ve kumaşı zayıflatmaz.</li>"
                    "<li><b>Renkler</b> küçük partiler halinde boyadığımız için partiden "
                    "partiye biraz değişir. Takım oluşturacaksanız parçaları birlikte "
                    "sipariş edin.</li><li><b>Çekme</b>, dikimden önce taşla yıkadığımız "
                    "için ilk yıkamadan sonra en fazla %3'tür.</li></ul>",
                ),
                (
                    "note",
                    "Delik, sökülen dikiş ya da diğer çamaşırlara boya vermesi "
                    "kusurdur: ürünü değiştiririz.",
                ),
            ],
        ),
    ),
]

CONTACT = [
    _article(
        "contact-us",
        "contact",
        ["track-order", "start-return"],
        (
            "Contact our customer service",
            "contact-customer-service",
            "Write to us through the contact form and we answer within one working day, "
            "in English or Turkish. Have your order number to hand.",
            ["contact", "customer service", "support", "email"],
            [
                (
                    "text",
                    "<p>Our small team in Istanbul answers every message itself, "
                    "Monday to Friday from 09:00 to 18:00 Turkish time, usually within a "
                    "few hours and always within one working day. We write in English and "
                    "Turkish.</p><p>The fastest way to reach us is the contact form: it "
                    "suggests answers while you type, and if your question is about an "
                    "order, it lets you pick the order so that we have everything we need. "
                    "You can also email support@harborandloom.example.</p>",
                ),
                (
                    "note",
                    "Many questions are answered straight away elsewhere: "
                    "<b>Track an order</b> for deliveries, your order's page for returns, "
                    "and <b>Rewards</b> for your points.",
                ),
            ],
        ),
        (
            "Müşteri hizmetlerine ulaşın",
            "musteri-hizmetleri",
            "İletişim formundan bize yazın; Türkçe ya da İngilizce, en geç bir iş günü "
            "içinde yanıt veririz. Sipariş numaranızı yanınızda bulundurun.",
            ["iletişim", "müşteri hizmetleri", "destek", "e-posta"],
            [
                (
                    "text",
                    "<p>İstanbul'daki küçük ekibimiz her mesajı kendisi yanıtlar; "
                    "hafta içi 09.00–18.00 arasında, genellikle birkaç saat içinde ve en geç "
                    "bir iş gününde. Türkçe ve İngilizce yazışıyoruz.</p><p>Bize ulaşmanın "
                    "en hızlı yolu iletişim formudur: siz yazarken yanıt önerir ve "
                    "sorunuz bir siparişle ilgiliyse siparişi seçmenizi sağlar, böylece "
                    "ihtiyacımız olan her şey elimizde olur. support@harborandloom.example "
                    "adresine de e-posta gönderebilirsiniz.</p>",
                ),
                (
                    "note",
                    "Pek çok sorunun yanıtı hemen başka yerde: teslimatlar için "
                    "<b>Sipariş takibi</b>, iadeler için siparişinizin sayfası, puanlarınız "
                    "için <b>Ödüller</b>.",
                ),
            ],
        ),
    ),
    _article(
        "privacy",
        "contact",
        ["update-details", "contact-us"],
        (
            "Your privacy and personal data",
            "privacy-and-personal-data",
            "We keep only what we need to deliver your orders and run your rewards, never "
            "sell it, and you can ask for a copy or for it to be erased at any time.",
            ["privacy", "GDPR", "personal data", "cookies"],
            [
                (
                    "text",
                    "<p>We use your name, email, address and order history to "
                    "deliver your orders, handle returns and keep your points. Payment "
                    "details stay with Stripe. We never sell your data, and we share it "
                    "only with the carriers that deliver your parcels.</p><p>Under the "
                    "GDPR, the UK GDPR and Turkey's KVKK you may ask for a copy of your "
                    "data, its correction or its erasure; write to us from your account's "
                    "email and we reply within 30 days.</p><p>Our help center counts how "
                    "often an article is read and whether it helped, without knowing who "
                    "you are.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "How do I stop marketing emails?",
                            "Use the unsubscribe link in any "
                            "of them. Order and shipping emails still come.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Gizlilik ve kişisel verileriniz",
            "gizlilik-ve-kisisel-veriler",
            "Yalnızca siparişlerinizi teslim etmek ve puanlarınızı yönetmek için gerekeni "
            "saklarız, asla satmayız; dilediğiniz zaman kopyasını ya da silinmesini "
            "isteyebilirsiniz.",
            ["gizlilik", "KVKK", "kişisel veriler", "çerezler"],
            [
                (
                    "text",
                    "<p>Adınızı, e-postanızı, adresinizi ve sipariş geçmişinizi "
                    "siparişlerinizi teslim etmek, iadeleri yürütmek ve puanlarınızı tutmak "
                    "için kullanırız. Ödeme bilgileriniz Stripe'ta kalır. Verilerinizi asla "
                    "satmayız; yalnızca paketlerinizi taşıyan kargo firmalarıyla "
                    "paylaşırız.</p><p>KVKK ve GDPR kapsamında verilerinizin bir kopyasını, "
                    "düzeltilmesini ya da silinmesini isteyebilirsiniz; hesabınızın "
                    "e-posta adresinden bize yazın, 30 gün içinde yanıt veririz.</p><p>"
                    "Yardım merkezimiz bir yazının kaç kez okunduğunu ve işe yarayıp "
                    "yaramadığını sizin kim olduğunuzu bilmeden sayar.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Pazarlama e-postalarını nasıl durdururum?",
                            "Herhangi birindeki "
                            "abonelikten çık bağlantısını kullanın. Sipariş ve kargo e-postaları "
                            "gelmeye devam eder.",
                        ),
                    ],
                ),
            ],
        ),
    ),
    _article(
        "product-origin",
        "contact",
        ["linen-character", "wool-throw-care"],
        (
            "Where and how our products are made",
            "where-our-products-are-made",
            "Everything is woven, cut and sewn in small batches in our Istanbul workshop, "
            "from European flax and Anatolian wool.",
            ["made in Istanbul", "materials", "sustainability", "flax"],
            [
                (
                    "text",
                    "<p>Harbor & Loom began in 2019 with one loom and a "
                    "harbour-side shop. Today our workshop in Şişli, Istanbul weaves, cuts "
                    "and sews every towel, sheet and throw we sell, in small batches.</p>"
                    "<p>Our linen is spun from flax grown in France and Belgium, which needs "
                    "no irrigation; our throws are woven from Anatolian wool. Fabrics are "
                    "certified to OEKO-TEX Standard 100, and we ship in recycled cardboard "
                    "with paper tape, no plastic.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Can I visit the workshop?",
                            "We open it on the first Saturday of "
                            "every month; write to us to book a place.",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Ürünlerimiz nerede ve nasıl üretiliyor?",
            "urunlerimiz-nerede-uretiliyor",
            "Her şey İstanbul'daki atölyemizde, Avrupa keteni ve Anadolu yününden, küçük "
            "partiler halinde dokunur, kesilir ve dikilir.",
            ["İstanbul üretimi", "malzemeler", "sürdürülebilirlik", "keten lifi"],
            [
                (
                    "text",
                    "<p>Harbor & Loom 2019'da tek bir tezgâh ve liman kenarında bir "
                    "dükkânla başladı. Bugün Şişli'deki atölyemiz sattığımız her havluyu, "
                    "çarşafı ve şalı küçük partiler halinde dokuyor, kesiyor ve "
                    "dikiyor.</p><p>Ketenimiz, sulama gerektirmeden Fransa ve Belçika'da "
                    "yetişen keten bitkisinden eğrilir; şallarımız Anadolu yününden dokunur. "
                    "Kumaşlarımız OEKO-TEX Standard 100 sertifikalıdır; gönderilerimizi "
                    "plastik kullanmadan, geri dönüştürülmüş karton ve kâğıt bantla "
                    "paketleriz.</p>",
                ),
                (
                    "faq",
                    [
                        (
                            "Atölyeyi ziyaret edebilir miyim?",
                            "Her ayın ilk cumartesi "
                            "atölyemizi ziyarete açıyoruz; yer ayırtmak için bize yazın.",
                        ),
                    ],
                ),
            ],
        ),
    ),
]

ARTICLES = [*ORDERS, *SHIPPING, *RETURNS, *PAYMENTS, *REWARDS, *ACCOUNT, *CARE, *CONTACT]
