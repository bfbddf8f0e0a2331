"""The blocks an article body is written in (one place, as bakerydemo keeps them)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

RICH_FEATURES = ["h2", "h3", "bold", "italic", "link", "document-link", "ol", "ul", "code"]


class FigureBlock(blocks.StructBlock):
    image = ImageBlock()
    caption = blocks.CharBlock(required=False, max_length=250, label=_("caption"))

    class Meta:
        icon = "image"
        label = _("Image with caption")
        template = "knowledgebase/blocks/figure.html"


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("video address"), help_text=_("A YouTube or Vimeo link."))
    caption = blocks.CharBlock(required=False, max_length=250, label=_("caption"))

    class Meta:
        icon = "media"
        label = _("Video")
        template = "knowledgebase/blocks/video.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("note", _("Note")), ("warning", _("Warning"))], default="note", label=_("kind")
    )
    text = blocks.RichTextBlock(features=["bold", "italic", "link"], label=_("text"))

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "knowledgebase/blocks/callout.html"


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120, label=_("step"))
    text = blocks.RichTextBlock(features=["bold", "italic", "link"], required=False)


class StepsBlock(blocks.StructBlock):
    steps = blocks.ListBlock(StepBlock(), min_num=1, label=_("steps"))

    class Meta:
        icon = "list-ol"
        label = _("Numbered steps")
        template = "knowledgebase/blocks/steps.html"


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=200, label=_("question"))
    answer = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ul", "ol"], label=_("answer")
    )


class FaqBlock(blocks.StructBlock):
    questions = blocks.ListBlock(QuestionBlock(), min_num=1, label=_("questions"))

    class Meta:
        icon = "help"
        label = _("Questions and answers")
        template = "knowledgebase/blocks/faq.html"


class ArticleBodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(features=RICH_FEATURES, label=_("Text"))
    figure = FigureBlock()
    video = VideoBlock()
    callout = CalloutBlock()
    steps = StepsBlock()
    faq = FaqBlock()
