package mailer

import (
	"regexp"
	"strings"
)

// Automatic replies without RFC 3834 headers are recognised by their words:
// the subject and first lines that out-of-office and auto-reply systems write
// in the languages library patrons most often write in (English, Spanish,
// Chinese, French, German, Italian, Portuguese, Dutch, Polish, Russian,
// Ukrainian, Arabic, Vietnamese, Korean, Japanese, Tagalog, Hindi, Turkish,
// the Nordic languages, Finnish, Czech, Greek, Hebrew, Romanian, Hungarian,
// Persian). The text is decoded to UTF-8 before it gets here, so any charset
// works.

// autoSubjectPhrases start an automatic reply's subject. Each is a phrase no
// person starts a request's subject with.
var autoSubjectPhrases = []string{
	// English
	`auto(matic|mated)?[ -]?(reply|response|answer|respons)`, `autoreply`, `autoresponse`, `auto:`, `out of (the )?office`,
	`ooo\b`, `away from (the |my )?office`, `vacation (reply|response|notice)`, `read:`, `not read:`,
	`disposition notification`, `(support )?ticket (received|opened|created)`, `request received`, `we('ve| have) received your (request|message|e-?mail)`,
	// German
	`automatische antwort`, `abwesenheit`, `nicht im b[üu]ro`, `au(ß|ss)er haus`, `gelesen:`, `ungelesen:`,
	// French
	`r[ée]ponse automatique`, `absent du bureau`, `message d'absence`, `absence du bureau`, `lu ?:`, `non lu ?:`,
	// Spanish
	`respuesta autom[áa]tica`, `fuera de (la )?oficina`, `de vacaciones`, `le[íi]do:`, `no le[íi]do:`,
	// Italian
	`risposta automatica`, `fuori (sede|ufficio)`, `letto:`,
	// Portuguese
	`resposta autom[áa]tica`, `fora do escrit[óo]rio`, `aus[êe]ncia do escrit[óo]rio`, `lido:`,
	// Dutch
	`automatisch antwoord`, `afwezigheidsbericht`, `niet aanwezig`, `buiten kantoor`, `gelezen:`,
	// Polish
	`automatyczna odpowied[źz]`, `odpowied[źz] automatyczna`, `poza biurem`, `nieobecno[śs][ćc]`, `przeczytano:`,
	// Russian, Ukrainian
	`автоматический ответ`, `автоответ`, `вне офиса`, `в отпуске`, `прочитано:`,
	`автоматична відповідь`, `автовідповідь`, `поза офісом`, `у відпустці`,
	// Chinese, Japanese, Korean
	`自动回复`, `自動回覆`, `自動回复`, `自动答复`, `不在办公室`, `不在辦公室`, `休假中`,
	`自動応答`, `自動返信`, `不在通知`, `不在のお知らせ`,
	`자동 ?응답`, `자동 ?회신`, `부재 ?중`,
	// Arabic, Persian, Hebrew
	`رد تلقائي`, `الرد التلقائي`, `خارج المكتب`, `پاسخ خودکار`, `خارج از دفتر`, `תשובה אוטומטית`, `מחוץ למשרד`,
	// Vietnamese, Tagalog, Hindi, Turkish
	`tr[ảa] l[ờo]i t[ựu] [đd][ộo]ng`, `t[ựu] [đd][ộo]ng tr[ảa] l[ờo]i`, `v[ắa]ng m[ặa]t`,
	`awtomatikong (tugon|sagot)`, `wala sa opisina`, `स्वचालित (उत्तर|जवाब)`, `कार्यालय से बाहर`,
	`otomatik (yan[ıi]t|cevap)`, `ofis d[ıi][şs][ıi]nda`, `izindeyim`,
	// Swedish, Danish, Norwegian, Finnish
	`automatiskt svar`, `autosvar`, `fr[åa]nvaro`, `automatisk svar`, `frav[æa]r`, `ikke p[åa] kontoret`, `inte p[åa] kontoret`,
	`automaattinen vastaus`, `poissa toimistolta`, `lomalla`,
	// Czech, Greek, Romanian, Hungarian
	`automatick[áa] odpov[ěe][ďd]`, `mimo kancel[áa][řr]`, `nep[řr][íi]tomnost`,
	`αυτόματη απάντηση`, `εκτός γραφείου`,
	`r[ăa]spuns automat`, `[îi]n afara biroului`,
	`automatikus v[áa]lasz`, `h[áa]zon k[íi]v[üu]l`, `irod[áa]n k[íi]v[üu]l`,
}

// autoSubjectWords are single words that mean "away" and start an
// automatic reply's subject only with a colon after them ("Absent: …").
var autoSubjectWords = []string{`absence`, `absent`, `ausente`, `assente`, `afwezig`, `away`, `vacation`, `urlaub`,
	`on vacation`, `on leave`, `concediu`, `szabads[áa]g`, `vacances`, `vacaciones`, `ferie`, `férias`, `отсутствую`, `外出`, `不在`, `休暇`, `부재`}

var (
	autoSubject = regexp.MustCompile(`(?i)^(` + strings.Join(autoSubjectPhrases, "|") + `)|^(` + strings.Join(autoSubjectWords, "|") + `)\s*[:：]`)
	// subjectNoise is what clients and gateways put before the words:
	// "Re:", "AW:", "[EXTERNAL]", "[Seymour #5]".
	subjectNoise = regexp.MustCompile(`(?i)^\s*((re|aw|sv|vs|antw|r|rif|odp|res|fw|fwd|wg|tr|enc)\s*(\[\d+\])?\s*[:：]\s*|\[[^\]]{0,40}\]\s*|\(?external\)?\s*[:：]?\s*)`)
)

// autoSubjectMatch reports an automatic reply's subject, in any of the
// languages above, after the prefixes clients and gateways add. Outlook's
// "Automatic reply: Re: [Tag #5] …" and Gmail's "Out of office Re: …" both
// match.
func autoSubjectMatch(subject string) bool {
	s := strings.TrimSpace(subject)
	for i := 0; i < 4; i++ {
		t := subjectNoise.ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = t
	}
	return autoSubject.MatchString(s)
}

// autoBodyPhrases start the first lines of an automatic reply.
var autoBodyPhrases = []string{
	// English
	`(i am|i'm|i’m) (currently |now )?(out of (the )?office|away from (the |my )?(office|desk)|on (annual |parental |sick )?leave|on vacation|on holiday|travell?ing)`,
	`i will be (out of (the )?office|away|on (annual )?leave|on vacation)`, `this is an? (automatic|automated|auto-generated) (reply|response|message|e-?mail)`,
	`(thank you|thanks) for your (e-?mail|message)[.!,]? (i am|i'm|i’m) (currently )?(out|away|on leave)`, `auto-?reply`,
	// Ticket systems (Zendesk, Freshdesk, Jira, osTicket) acknowledging our mail
	`#*-? *please (type|write|enter) your reply above this line`, `we would like to acknowledge that we have received`,
	`your (request|ticket) \(?#?[\w-]+\)? has been (received|created|opened)`, `a (request for support|support ticket|ticket) has been (created|opened)`,
	// German
	`ich bin (derzeit |zurzeit |momentan |bis .{1,40}? )?(nicht im b[üu]ro|abwesend|au(ß|ss)er haus|im urlaub)`,
	`(vielen )?dank f[üu]r ihre (e-?mail|nachricht)[.!,]? ich bin`, `dies ist eine automatische`,
	// French
	`je (suis|serai) (actuellement )?(absente?|en cong[ée]s?|en vacances|hors du bureau)`, `ceci est (une r[ée]ponse|un message) automatique`,
	// Spanish
	`(estoy|estar[ée]|me encuentro) (actualmente )?(fuera de (la )?oficina|de vacaciones|ausente)`, `(este|esta) es (un mensaje|una respuesta) autom[áa]tic`,
	// Italian, Portuguese
	`(sono|sar[òo]) (attualmente )?(fuori (sede|ufficio)|assente|in ferie)`, `questa [èe] una risposta automatica`,
	`(estou|estarei) (atualmente )?(fora do escrit[óo]rio|ausente|de f[ée]rias)`, `esta [ée] uma resposta autom[áa]tica`,
	// Dutch, Polish
	`ik ben (momenteel |tot .{1,30}? )?(afwezig|niet op kantoor|met vakantie)`, `dit is een automatisch`,
	`jestem (obecnie )?(poza biurem|na urlopie|nieobecn)`, `to jest automatyczna odpowied`,
	// Russian, Ukrainian
	`я (сейчас |в настоящее время )?(нахожусь )?(в отпуске|вне офиса|отсутствую)`, `это автоматический ответ`,
	`я (зараз )?(у відпустці|поза офісом|відсутн)`, `це автоматична відповідь`,
	// Chinese, Japanese, Korean
	`我(目前|现在|現在)?(正在休假|不在办公室|不在辦公室|外出|休假)`, `(这|這|此)(是|为|為)(一封)?自[动動]回[复覆]`, `自[动動]回[复覆]`,
	`(ただいま|現在)?(不在|休暇中)`, `自動(返信|応答)`, `자동 ?응답`, `부재 ?중`,
	// Arabic, Persian, Hebrew
	`أنا (حاليا )?خارج المكتب`, `هذا رد تلقائي`, `رد تلقائي`, `من (در حال حاضر )?خارج از دفتر`, `پاسخ خودکار`, `אני (נמצא |נמצאת )?מחוץ למשרד`, `תשובה אוטומטית`,
	// Vietnamese, Tagalog, Hindi, Turkish
	`t[ôo]i (hi[ệe]n )?([đd]ang )?v[ắa]ng m[ặa]t`, `[đd][âa]y l[àa] (th[ưu]|email) tr[ảa] l[ờo]i t[ựu] [đd][ộo]ng`,
	`wala ako sa opisina`, `awtomatikong (tugon|sagot)`, `मैं (अभी )?कार्यालय से बाहर`, `यह एक स्वचालित (उत्तर|जवाब)`,
	`ofis d[ıi][şs][ıi]nday[ıi]m`, `izindeyim`, `bu otomatik bir (yan[ıi]t|cevap)`,
	// Verb-last languages put the date first: "10 Aralık tarihine kadar izindeyim",
	// "12月10日まで不在にしております", "12월 10일까지 휴가 중입니다".
	`.{0,60}?\b(izindeyim|tatildeyim|ofis d[ıi][şs][ıi]nday[ıi]m)`, `.{0,30}?(不在にしております|不在にしています|休暇を(いただいて|取って)おります|不在です)`,
	`.{0,30}?(휴가 ?중입니다|부재 ?중입니다|자리를 비웁니다)`, `मैं .{0,40}?(कार्यालय से बाहर|छुट्टी पर)`, `من .{0,40}?(در مرخصی|خارج از دفتر) هستم`,
	// Nordic, Finnish
	`jag [äa]r (f[öo]r n[äa]rvarande )?(inte p[åa] kontoret|ledig|bortrest|p[åa] semester|tj[äa]nstledig)`, `detta [äa]r ett automatiskt svar`,
	`jeg er (for tiden )?(ikke p[åa] kontoret|p[åa] ferie|frav[æa]rende|borte)`, `dette er et automatisk svar`,
	`olen (t[äa]ll[äa] hetkell[äa] )?(poissa toimistolta|lomalla)`, `t[äa]m[äa] on automaattinen vastaus`,
	// Czech, Greek, Romanian, Hungarian
	`jsem (mimo kancel[áa][řr]|na dovolen[ée])`, `toto je automatick[áa] odpov[ěe]`,
	`είμαι εκτός γραφείου`, `(αυτή είναι μια )?αυτόματη απάντηση`,
	`sunt (în|in) (afara biroului|concediu)`, `acesta este un r[ăa]spuns automat`,
	`(h[áa]zon k[íi]v[üu]l|szabads[áa]gon) vagyok`, `ez egy automatikus v[áa]lasz`,
}

var autoBody = regexp.MustCompile(`(?i)^[\s*_>"“]*(` + strings.Join(autoBodyPhrases, "|") + `)`)

// autoSays are the phrases that call a message automatic outright; the
// others ("I am out of the office") a person may write too, so they count
// only beside a word about coming back or about other contacts, which every
// out-of-office has and few answers do.
var (
	autoSays = regexp.MustCompile(`(?i)(reply above this line|have received your request|has been (received|created|opened)|automatic|automated|auto-generated|auto-?reply|automatische|automatique|autom[áa]tic|automatica|automatisch|automatyczna|автоматическ|автоматичн|自[动動]回|自動|자동|تلقائي|خودکار|אוטומטית|t[ựu] [đd][ộo]ng|awtomatikong|स्वचालित|otomatik|automatisk|automaattinen|automatick|αυτόματη|automat|automatikus)`)
	awayMark = regexp.MustCompile(`(?i)(until|till|return|back on|back in|be back|limited access|urgent|in my absence|bis |zur[üu]ck|dringend|hasta|regres|vuelta|urgente|jusqu|retour|urgence|fino al|rientr|at[ée] |retorno|tot en met|terug|dringend|do dnia|powrot|powrót|до |вернусь|повернуся|terug|[0-9]{1,2}[./][0-9]{1,2}|以后|之后|まで|까지|حتى|تا |עד |hanggang|kadar|tills|indtil|til |asti|do |έως|până|-ig|-jéig|तक)`)
)

// greetingLine is a line an automatic reply may start with before its words.
var greetingLine = regexp.MustCompile(`(?i)^((hello|hi|dear [^,]{0,40}|good (morning|afternoon|day)|hallo|guten tag|bonjour|hola|buongiorno|ol[áa]|bom dia|dzie[ńn] dobry|здравствуйте|привіт|您好|你好|お世話になっております|안녕하세요|merhaba|नमस्ते|سلام|مرحبا|xin ch[àa]o|γεια σας)[\s,!.:，！。：、]*|[\p{L}][\p{L} .'’-]{0,40},|` +
	`(thank you|thanks|many thanks) for your (e-?mail|message|mail)|(vielen )?dank f[üu]r ihre (e-?mail|nachricht)|merci (pour|de) votre (message|e-?mail|courriel)|gracias por su (mensaje|correo)|grazie per (il suo|la sua) (messaggio|e-?mail)|obrigad[oa] pel[ao] (sua )?(mensagem|e-?mail))[\s,!.:]*$`)

// autoFirstLine returns the line that shows an automatic reply in a message
// answering another one, or "". Only replies are read this way: a robot's
// out-of-office always answers a mail, while a person's new request that
// happens to start "I am on leave, …" must still become a ticket. The text
// must be short as automatic replies are (quoted lines not counted).
func autoFirstLine(m *Message) string {
	if !m.IsReply() {
		return ""
	}
	var lines, all []string
	words := 0
	for _, l := range strings.Split(m.Text, "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, ">") {
			continue
		}
		if quotedOriginal.MatchString(t) {
			break
		}
		words += len(strings.Fields(t))
		all = append(all, t)
		if len(lines) < 3 {
			lines = append(lines, t)
		}
	}
	if words > 200 {
		return ""
	}
	line := ""
	for i, l := range lines {
		if autoBody.MatchString(l) {
			line = l
			break
		}
		if i == 0 && (!greetingLine.MatchString(l) || IsSignOff(l)) {
			// Only a greeting may come before the words; "Thanks," opens a
			// person's answer, not an out-of-office.
			return ""
		}
	}
	if line == "" || autoSays.MatchString(line) {
		return line
	}
	// "I am away until Monday" alone is not automatic: a patron answering
	// us may start so and then ask something, and a patron's question
	// taken for a robot's is lost.
	own := strings.Join(all, " ")
	if !awayMark.MatchString(strings.Join(lines, " ")) || asks.MatchString(own) && !redirects.MatchString(own) {
		return ""
	}
	return line
}

// redirects finds where an out-of-office sends people meanwhile ("Need help
// sooner? Write to Bob"): such a text is a notice even when it asks.
var redirects = regexp.MustCompile(`(?i)urgent|in my absence|contact|colleague|write to|reach|limited access|dringend|vertret|urgente|urgence|coll[èe]gue|collega|contatt|contacte|kontakt|pilne|срочн|紧急|至急|緊急|긴급|عاجل|acil`)

// asks finds a question or a request in a person's words: out-of-office
// notices tell, they do not ask.
var asks = regexp.MustCompile(`(?i)[?？؟]|\b(could|can|would|will) (you|someone|somebody|i)\b|\bplease (post|send|keep|hold|renew|extend|cancel|mail|deliver|reserve)\b`)
