"""The demo questionnaires' questions in the public flows' languages (Arabic, Spanish,
Portuguese, Ukrainian): with them the survey pages offer these languages (the page
strings come from the catalogues). Plain, short wording."""

FLOW_QUESTIONS = {
    "ar": {
        "yearly": {
            "courtoisie": "ما رأيك في لطف الموظفين واستعدادهم لمساعدتك؟",
            "pmr": "إذا كانت حركتك محدودة: هل كان الاستقبال مناسبًا لك؟",
            "langage": "ما رأيك في وضوح المعلومات التي أُعطيت لك؟",
            "orientation": "ما رأيك في توجيهك إلى الشخص المناسب؟",
            "signaletique": "ما رأيك في اللافتات التي تساعدك على إيجاد المصلحة؟",
            "confort": "ما رأيك في راحة وتجهيز مكان الانتظار؟",
            "confidentialite": "ما رأيك في احترام سرية حديثك؟",
            "attente": "ما رأيك في مدة الانتظار؟",
            "global": "بشكل عام، هل أنت راضٍ عن الاستقبال؟",
            "commentaire": "هل لديك ملاحظة أو اقتراح؟",
        },
        "stars": {"etoiles": "ما تقييمك لاستقبالنا؟", "commentaire": "هل لديك تعليق؟"},
        "end_of_call": {
            "reponse": "هل حصلت على جواب واضح عن سؤالك؟",
            "global": "ما تقييمك لهذه المكالمة؟",
        },
    },
    "es": {
        "yearly": {
            "courtoisie": "¿Qué le parece la amabilidad y la disponibilidad del personal?",
            "pmr": "Si tiene movilidad reducida: ¿la atención estuvo adaptada?",
            "langage": "¿Qué le parece la claridad de la información que le dimos?",
            "orientation": "¿Le enviamos a la persona adecuada?",
            "signaletique": "¿Qué le parecen los carteles para encontrar el servicio?",
            "confort": "¿Qué le parece la comodidad y el equipamiento de la sala de espera?",
            "confidentialite": "¿Se respetó la confidencialidad de su conversación?",
            "attente": "¿Qué le parece el tiempo de espera?",
            "global": "En general, ¿está satisfecho con la atención?",
            "commentaire": "¿Algún comentario o sugerencia?",
        },
        "stars": {"etoiles": "¿Qué nota da a nuestra atención?", "commentaire": "¿Un comentario?"},
        "end_of_call": {
            "reponse": "¿Obtuvo una respuesta clara a su pregunta?",
            "global": "¿Qué nota da a esta llamada?",
        },
    },
    "pt": {
        "yearly": {
            "courtoisie": "O que acha da simpatia e da disponibilidade dos funcionários?",
            "pmr": "Se tem mobilidade reduzida: o atendimento foi adaptado?",
            "langage": "O que acha da clareza das informações que lhe demos?",
            "orientation": "Foi encaminhado para a pessoa certa?",
            "signaletique": "O que acha da sinalização para encontrar o serviço?",
            "confort": "O que acha do conforto e do equipamento da sala de espera?",
            "confidentialite": "A confidencialidade da sua conversa foi respeitada?",
            "attente": "O que acha do tempo de espera?",
            "global": "No geral, está satisfeito com o atendimento?",
            "commentaire": "Algum comentário ou sugestão?",
        },
        "stars": {"etoiles": "Que nota dá ao nosso atendimento?", "commentaire": "Um comentário?"},
        "end_of_call": {
            "reponse": "Obteve uma resposta clara à sua pergunta?",
            "global": "Que nota dá a esta chamada?",
        },
    },
    "uk": {
        "yearly": {
            "courtoisie": "Як ви оцінюєте ввічливість і готовність працівників допомогти?",
            "pmr": "Якщо у вас обмежена мобільність: чи був прийом пристосований до вас?",
            "langage": "Як ви оцінюєте зрозумілість наданої інформації?",
            "orientation": "Чи вас направили до потрібної людини?",
            "signaletique": "Як ви оцінюєте вказівники, щоб знайти службу?",
            "confort": "Як ви оцінюєте зручність і обладнання зали очікування?",
            "confidentialite": "Чи дотримано конфіденційність вашої розмови?",
            "attente": "Як ви оцінюєте час очікування?",
            "global": "Загалом, чи ви задоволені прийомом?",
            "commentaire": "Маєте зауваження чи пропозицію?",
        },
        "stars": {"etoiles": "Як ви оцінюєте наш прийом?", "commentaire": "Маєте коментар?"},
        "end_of_call": {
            "reponse": "Чи отримали ви зрозумілу відповідь на своє запитання?",
            "global": "Як ви оцінюєте цю розмову?",
        },
    },
}


def translate(questionnaire, key: str) -> None:
    """Add the flows' languages to a demo questionnaire, with its questions translated."""
    languages = list(FLOW_QUESTIONS)
    for q in questionnaire.questions.all():
        q.translations = {
            **q.translations,
            **{lang: {"text": FLOW_QUESTIONS[lang][key][q.code]} for lang in languages},
        }
        q.save(update_fields=["translations"])
    questionnaire.extra_languages = [
        *questionnaire.extra_languages,
        *[lang for lang in languages if lang not in questionnaire.extra_languages],
    ]
    questionnaire.save(update_fields=["extra_languages"])
