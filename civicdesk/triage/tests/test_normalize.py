from civicdesk.triage.normalize import normalize
from civicdesk.triage.tokenize import tokenize


def test_normalize_folds_scripts_widths_and_debris():
    raw = "\t\n  <p>臺灣 隨手拍</p>_x000D_\nＡＢＣ１２３&amp;  "
    assert normalize(raw) == "台湾 随手拍 abc123&"


def test_normalize_is_idempotent_and_handles_empty():
    text = "小區門口路燈不亮_x000D_"
    assert normalize(normalize(text)) == normalize(text)
    assert normalize("") == ""


def test_tokenize_drops_stopwords_and_punctuation():
    tokens = tokenize(normalize("请问小区的路灯什么时候修好？谢谢！"))
    assert "路灯" in tokens
    assert not {"请问", "的", "什么", "谢谢", "？", "！"} & set(tokens)
