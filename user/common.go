package user

import (
	"strings"
	"sync"
)

// commonList is passwords, and the words and numbers passwords are made
// of, that people choose most: in English, in the pinyin of Chinese
// names and phrases, of banks and their work, and the numbers of dates
// and of love (520 reads "I love you", 1314 "for a lifetime"). Lower
// case; checkPassword also tries each with leetspeak read as letters
// and with digits and symbols around it.
const commonList = `
password passwd passw0rd p@ssw0rd p@ssword pass pass123 pass1234 password1 password12 password123
mypassword secret secret123 changeme changeit default welcome welcome1 welcome123 letmein
login logon admin admin1 admin12 admin123 admin888 administrator root root123 toor superuser
sysadmin system manager guest user user123 test test123 test1234 testing demo temp temp123
qwerty qwertyuiop qwerty123 qwer1234 qweasd qweasdzxc asdfgh asdfghjkl zxcvbn zxcvbnm
1qaz2wsx 1q2w3e4r 1q2w3e 1qaz 2wsx qazwsx zaq12wsx qwe123 qwe123456 asd123 zxc123 abc123 abc123456
abcd1234 abcdef abcdefg a123456 a12345678 aa123456 aa112233 a1b2c3 a1b2c3d4 123abc 123qwe 123asd
iloveyou iloveu loveyou lovely love monkey dragon master shadow sunshine princess football
baseball basketball soccer superman batman spiderman starwars pokemon naruto michael jordan
jennifer jessica charlie thomas daniel andrew joshua robert matthew hunter ranger buster tigger
freedom whatever trustno1 hello hello123 hi computer internet google apple samsung huawei xiaomi
summer winter spring autumn sunday monday friday january july december flower orange banana
chocolate cookie cheese pepper ginger maggie hannah ashley amanda nicole jasmine
qq123456 qq123 qqqqqq wechat weixin taobao alipay zhifubao baidu tencent
woaini woaini1314 woaini520 woaini521 woainima woaiwojia woaiwoziji aini aini1314 iloveyou1314
wojiushiwo nihao nihao123 zhongguo zhonghua china china123 beijing shanghai guangzhou shenzhen
guangxi nanning guilin liuzhou beihai wuzhou yulin baise hechi hezhou chongzuo laibin fangchenggang
qinzhou guigang chengdu wuhan hangzhou nanjing tianjin chongqing xian changsha
laopo laogong baobao baobei xiaobao beibei tiantian xiaoxiao huahua qiqi lele dudu
kuaile xingfu pingan jiayou fendou mengxiang taiyang yueliang xingxing tiankong
zhang wang li liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo zheng liang
xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei
su lu ding ren shen yao cui zhong tan fan qin qiu shi meng bai mo
zhangsan lisi wangwu zhaoliu zhangwei wangwei wangfang liwei lina zhangmin lijing wangjing
liuwei wangxiuying zhangli lixiuying wangli zhangjing zhangxiuying liqiang wangqiang zhangyong
wangyong lijun wangjun zhangjun liuyang liyang wanglei zhanglei liming wangming zhangjie lijie
chenjing liufang yangyang zhangyan wangyan liyan chenchen linlin lili tingting
yinhang bank banking mybank nongxin nongshang nonghang nongcun nongye nongyeyinhang gonghang
jianhang zhonghang jiaohang youchu youzheng zhaohang xinyongshe nongxinshe nongshanghang
xinyong daikuan cunkuan licai zhanghu kahao mima kouling yanzhengma denglu zhuce
guitai guiyuan caiwu kuaiji chuna jingli hangzhang zhuren kezhang xingzhang
icbc abc boc ccb bocom psbc cmb cmbc citic cib spdb cebbank hxb gdb rcc rcb
guanliyuan xitong ceshi anquan shenji yunwei kaifa fuwuqi shujuku wangluo jiankong
vigil console security analyst auditor operator monitor alert alarm siem soc
123456 1234567 12345678 123456789 1234567890 0123456789 12345 1234 123123 123321 654321
666666 888888 999999 000000 111111 222222 112233 11223344 121212 123654 147258 147258369
159357 159753 258369 321321 456789 520520 5201314 1314520 1314521 521521 520131 131452
168168 518518 886886 168888 666888 888666 88888888 66666666 11111111 00000000 12341234
520 521 1314 168 518 666 888 886 007 110 119 120 2008 2020 2021 2022 2023 2024 2025 2026
`

// common is commonList as a set.
var common = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(commonList) {
		m[w] = true
	}
	return m
})

// isCommon reports whether s, in lower case, is on the list.
func isCommon(s string) bool { return common()[s] }
