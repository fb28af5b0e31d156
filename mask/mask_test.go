package mask

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// identity cards
		{"id 18", "身份证 11010519491231002X 已核验", "身份证 110***********002X 已核验"},
		{"id 18 lower x", "id=11010519491231002x.", "id=110***********002x."},
		{"id 18 digit check", "440306199003071232", "440***********1232"},
		{"id 18 in Chinese text", "客户身份证号440306199003071232，请核对", "客户身份证号440***********1232，请核对"},
		{"id 18 grouped", "440306 19900307 1232", "440*** ******** 1232"},
		{"id 18 wrong check digit, not a card", "440306199003071233", "440306199003071233"},
		{"id 15", "110105491231002", "110********1002"},
		{"id 15 bad date", "110105491331002", "110105491331002"},
		// phones
		{"mobile", "手机13800138000", "手机138****8000"},
		{"mobile dashed", "tel: 138-0013-8000", "tel: 138-****-8000"},
		{"mobile spaced", "call 138 0013 8000 now", "call 138 **** 8000 now"},
		{"mobile +86", "+8613800138000", "+86138****8000"},
		{"mobile +86 spaced", "+86 138 0013 8000", "+86 138 **** 8000"},
		{"mobile 0086", "008613912345678", "0086139****5678"},
		{"mobile after a date", "2026-03-14 13800138000", "2026-03-14 138****8000"},
		{"not a mobile: 12", "12800138000", "12800138000"},
		{"e164", "+44 20 7946 0958", "+44 ** **** **58"},
		{"e164 bare", "+12025550100", "+12*******00"},
		{"no plus, not e164", "12025550100", "12025550100"},
		{"mobile 145", "14155550100", "141****0100"},
		// cards
		{"card", "card 6222021234567894 charged", "card 6222********7894 charged"},
		{"card grouped", "6222 0212 3456 7894", "6222 **** **** 7894"},
		{"card dashed", "4111-1111-1111-1111", "4111-****-****-1111"},
		{"card 19", "6217000000000000004", "6217***********0004"},
		{"card after an amount", "paid 100 6222021234567894", "paid 100 6222********7894"},
		{"not luhn", "6222021234567890", "6222021234567890"},
		{"too long", "62220212345678940000", "62220212345678940000"},
		// things that stay
		{"ip", "from 192.168.100.200", "from 192.168.100.200"},
		{"date", "2026-03-14T09:26:53Z", "2026-03-14T09:26:53Z"},
		{"short numbers", "alert 42 of rule 7", "alert 42 of rule 7"},
		// secrets
		{"token", "revoked vgl_57ARZQAJ6P4JJC2V_gjodqGlialHpbYZThi9PMrOCS5uwGF1gVqZiZkI8zX4 today", "revoked vgl_57ARZQAJ6P4JJC2V_**** today"},
		{"token malformed", "vgl_abc", "vgl_****"},
		{"token id of digits", "vgl_0000000000000A00_secret", "vgl_0000000000000A00_****"},
		{"bearer", "Authorization: Bearer abc.def-ghi", "Authorization: Bearer ****"},
		{"basic", "authorization: basic dXNlcjpwYXNz", "authorization: basic ****"},
		{"password=", "user=bob&password=hunter2&x=1", "user=bob&password=****&x=1"},
		{"json password", `{"name":"bob","password":"hu\"nter 2","x":1}`, `{"name":"bob","password":"****","x":1}`},
		{"yaml secret", "client_secret: s3cr3t", "client_secret: ****"},
		{"token=", "token=abc123", "token=****"},
		{"secret= quoted single", "secret='a b'", "secret='****'"},
		{"cookie header", "Cookie: __Host-vigil_session=Zm9vYmFy", "Cookie: ****"},
		{"session cookie", "set __Host-vigil_session=Zm9vYmFy; Path=/", "set __Host-vigil_session=****; Path=/"},
		{"url password", "postgres://vigil:pa55@db:5432/x", "postgres://vigil:****@db:5432/x"},
		{"chinese key", "初始密码：Abc12345", "初始密码：****"},
		{"api key", "X-Api-Key=abcdef", "X-Api-Key=****"},
		{"both", "password=6222021234567894 phone 13800138000", "password=**** phone 138****8000"},
		// full width, as Chinese input methods type it
		{"mobile full width", "手机１３８００１３８０００", "手机１３８****８０００"},
		{"card full width", "卡号６２２２０２１２３４５６７８９４", "卡号６２２２********７８９４"},
		{"id full width", "１１０１０５１９４９１２３１００２Ｘ", "１１０***********００２Ｘ"},
		{"mobile full width spaced", "１３８　００１３　８０００", "１３８　****　８０００"},
		{"mobile dotted", "tel 138.0013.8000", "tel 138.****.8000"},
		{"card dotted", "6222.0212.3456.7894", "6222.****.****.7894"},
		{"mobile area code full width", "（138）00138000", "（138）****8000"},
		{"mobile area code", "(138) 0013 8000", "(138) **** 8000"},
		{"mobile en dash", "138–0013–8000", "138–****–8000"},
		{"not a number: decimal", "took 1741944413.123456 s", "took 1741944413.123456 s"},
		{"not a number: version", "vigil 1.3800.1380.0", "vigil 1.3800.1380.0"},
		{"password full width", "ｐａｓｓｗｏｒｄ＝ｈｕｎｔｅｒ２", "ｐａｓｓｗｏｒｄ＝****"},
		{"chinese key full width colon", "密码：ｈｕｎｔｅｒ２，请修改", "密码：****，请修改"},
		// more keys
		{"pass=", "db pass=hunter2 x", "db pass=**** x"},
		{"db_pass=", "db_pass=hunter2", "db_pass=****"},
		{"pw=", "pw=hunter2", "pw=****"},
		{"PIN=", "PIN=1234 ok", "PIN=**** ok"},
		{"card.cvv", "card.cvv: 123", "card.cvv: ****"},
		{"cvv=", "cvv=123", "cvv=****"},
		{"credential=", "credential=abc", "credential=****"},
		{"credentials json", `{"credentials":"abc"}`, `{"credentials":"****"}`},
		{"chinese key space", "密码 hunter2", "密码 ****"},
		{"chinese key 是", "口令是hunter2。", "口令是****。"},
		{"chinese key 为", "初始密码为：Abc12345", "初始密码为：****"},
		{"chinese speaks of a password", "密码 已修改；密码是否正确", "密码 已修改；密码是否正确"},
		{"not keys: bypass, shipping", "bypass=1 shipping=2 opinion: 3", "bypass=1 shipping=2 opinion: 3"},
		{"english speaks of a password", "wrong password", "wrong password"},
		{"nothing", "user alice logged in", "user alice logged in"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q)\n = %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLuhn(t *testing.T) {
	for d, want := range map[string]bool{
		"4111111111111111": true, "4111111111111112": false, "79927398713": true, "0": true, "18": true, "19": false,
	} {
		if luhn(d) != want {
			t.Errorf("luhn(%s) = %v", d, !want)
		}
	}
}

func TestIsID18(t *testing.T) {
	for d, want := range map[string]bool{
		"11010519491231002X": true,
		"440306199003071232": true,
		"440306199003071231": false, // check digit
		"440306199013071232": false, // month 13
		"040306199003071232": false, // region
		"44030619900307123X": false,
		"4403061990030712":   false,
	} {
		if isID18(d) != want {
			t.Errorf("isID18(%s) = %v", d, !want)
		}
	}
}

// check is what holds of every masked string.
func check(t *testing.T, in string) {
	out := String(in)
	if again := String(out); again != out {
		t.Fatalf("not idempotent: String(%q) = %q, then %q", in, out, again)
	}
	if utf8.ValidString(in) && !utf8.ValidString(out) {
		t.Fatalf("String(%q) = %q, not UTF-8", in, out)
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "+86 138 0013 8000", "6222 0212 3456 7894", "password=hunter2",
		`{"token":"a\"b"}`, "Bearer x", "vgl_57ARZQAJ6P4JJC2V_abc", "postgres://a:b@c", "1 2 3 4 5 6 7 8 9 0 1 2 3",
		"密码：x", "2026-03-14 13800138000 6217000000000000004",
		"vgl_0000000000000A00_", "１３８００１３８０００", "（138）00138000", "138.0013.8000", "密码 hunter2", "ｐｗ＝ｘ", "\xef\xbc", "６\xff２",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check(t, s)
		in := "x password=hunter2 " + s
		check(t, in)
		if out := String(in); !strings.HasPrefix(out, "x password=**** ") {
			t.Fatalf("String(%q) = %q keeps the password", in, out)
		}
	})
}
