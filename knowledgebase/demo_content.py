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

ARTICLES = [*ORDERS]
