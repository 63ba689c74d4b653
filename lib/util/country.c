/*
** country.c -- ISO 3166-1 country codes and the English names and variants
** that watchlists use ("Korea, North", "DPRK", "Russian Federation",
** "Iran (Islamic Republic of)", nationality adjectives such as "Iranian").
**
** Lookup normalises the text (case folding, Latin accents stripped,
** punctuation dropped, a leading/trailing "the" ignored, "X, Y" also tried as
** "Y X") and searches a table built once (pthread_once) into a sorted array.
** The table below was generated from ISO 3166-1 (249 codes); the variants
** after it are hand-written from what UN, OFAC and EU lists write.
** Ambiguous adjectives ("Korean", "Congolese") are deliberately absent.
*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "kpw/util.h"

typedef struct { const char *a2, *a3, *name, *alt, *official; } country_t;

static const country_t COUNTRIES[] = {
  {"ad", "and", "Andorra", NULL, "Principality of Andorra"},
  {"ae", "are", "United Arab Emirates", NULL, NULL},
  {"af", "afg", "Afghanistan", NULL, "Islamic Republic of Afghanistan"},
  {"ag", "atg", "Antigua and Barbuda", NULL, NULL},
  {"ai", "aia", "Anguilla", NULL, NULL},
  {"al", "alb", "Albania", NULL, "Republic of Albania"},
  {"am", "arm", "Armenia", NULL, "Republic of Armenia"},
  {"ao", "ago", "Angola", NULL, "Republic of Angola"},
  {"aq", "ata", "Antarctica", NULL, NULL},
  {"ar", "arg", "Argentina", NULL, "Argentine Republic"},
  {"as", "asm", "American Samoa", NULL, NULL},
  {"at", "aut", "Austria", NULL, "Republic of Austria"},
  {"au", "aus", "Australia", NULL, NULL},
  {"aw", "abw", "Aruba", NULL, NULL},
  {"ax", "ala", "Åland Islands", NULL, NULL},
  {"az", "aze", "Azerbaijan", NULL, "Republic of Azerbaijan"},
  {"ba", "bih", "Bosnia and Herzegovina", NULL, "Republic of Bosnia and Herzegovina"},
  {"bb", "brb", "Barbados", NULL, NULL},
  {"bd", "bgd", "Bangladesh", NULL, "People's Republic of Bangladesh"},
  {"be", "bel", "Belgium", NULL, "Kingdom of Belgium"},
  {"bf", "bfa", "Burkina Faso", NULL, NULL},
  {"bg", "bgr", "Bulgaria", NULL, "Republic of Bulgaria"},
  {"bh", "bhr", "Bahrain", NULL, "Kingdom of Bahrain"},
  {"bi", "bdi", "Burundi", NULL, "Republic of Burundi"},
  {"bj", "ben", "Benin", NULL, "Republic of Benin"},
  {"bl", "blm", "Saint Barthélemy", NULL, NULL},
  {"bm", "bmu", "Bermuda", NULL, NULL},
  {"bn", "brn", "Brunei Darussalam", NULL, NULL},
  {"bo", "bol", "Bolivia", "Bolivia, Plurinational State of", "Plurinational State of Bolivia"},
  {"bq", "bes", "Bonaire, Sint Eustatius and Saba", NULL, "Bonaire, Sint Eustatius and Saba"},
  {"br", "bra", "Brazil", NULL, "Federative Republic of Brazil"},
  {"bs", "bhs", "Bahamas", NULL, "Commonwealth of the Bahamas"},
  {"bt", "btn", "Bhutan", NULL, "Kingdom of Bhutan"},
  {"bv", "bvt", "Bouvet Island", NULL, NULL},
  {"bw", "bwa", "Botswana", NULL, "Republic of Botswana"},
  {"by", "blr", "Belarus", NULL, "Republic of Belarus"},
  {"bz", "blz", "Belize", NULL, NULL},
  {"ca", "can", "Canada", NULL, NULL},
  {"cc", "cck", "Cocos (Keeling) Islands", NULL, NULL},
  {"cd", "cod", "Congo, The Democratic Republic of the", NULL, NULL},
  {"cf", "caf", "Central African Republic", NULL, NULL},
  {"cg", "cog", "Congo", NULL, "Republic of the Congo"},
  {"ch", "che", "Switzerland", NULL, "Swiss Confederation"},
  {"ci", "civ", "Côte d'Ivoire", NULL, "Republic of Côte d'Ivoire"},
  {"ck", "cok", "Cook Islands", NULL, NULL},
  {"cl", "chl", "Chile", NULL, "Republic of Chile"},
  {"cm", "cmr", "Cameroon", NULL, "Republic of Cameroon"},
  {"cn", "chn", "China", NULL, "People's Republic of China"},
  {"co", "col", "Colombia", NULL, "Republic of Colombia"},
  {"cr", "cri", "Costa Rica", NULL, "Republic of Costa Rica"},
  {"cu", "cub", "Cuba", NULL, "Republic of Cuba"},
  {"cv", "cpv", "Cabo Verde", NULL, "Republic of Cabo Verde"},
  {"cw", "cuw", "Curaçao", NULL, "Curaçao"},
  {"cx", "cxr", "Christmas Island", NULL, NULL},
  {"cy", "cyp", "Cyprus", NULL, "Republic of Cyprus"},
  {"cz", "cze", "Czechia", NULL, "Czech Republic"},
  {"de", "deu", "Germany", NULL, "Federal Republic of Germany"},
  {"dj", "dji", "Djibouti", NULL, "Republic of Djibouti"},
  {"dk", "dnk", "Denmark", NULL, "Kingdom of Denmark"},
  {"dm", "dma", "Dominica", NULL, "Commonwealth of Dominica"},
  {"do", "dom", "Dominican Republic", NULL, NULL},
  {"dz", "dza", "Algeria", NULL, "People's Democratic Republic of Algeria"},
  {"ec", "ecu", "Ecuador", NULL, "Republic of Ecuador"},
  {"ee", "est", "Estonia", NULL, "Republic of Estonia"},
  {"eg", "egy", "Egypt", NULL, "Arab Republic of Egypt"},
  {"eh", "esh", "Western Sahara", NULL, NULL},
  {"er", "eri", "Eritrea", NULL, "the State of Eritrea"},
  {"es", "esp", "Spain", NULL, "Kingdom of Spain"},
  {"et", "eth", "Ethiopia", NULL, "Federal Democratic Republic of Ethiopia"},
  {"fi", "fin", "Finland", NULL, "Republic of Finland"},
  {"fj", "fji", "Fiji", NULL, "Republic of Fiji"},
  {"fk", "flk", "Falkland Islands (Malvinas)", NULL, NULL},
  {"fm", "fsm", "Micronesia, Federated States of", NULL, "Federated States of Micronesia"},
  {"fo", "fro", "Faroe Islands", NULL, NULL},
  {"fr", "fra", "France", NULL, "French Republic"},
  {"ga", "gab", "Gabon", NULL, "Gabonese Republic"},
  {"gb", "gbr", "United Kingdom", NULL, "United Kingdom of Great Britain and Northern Ireland"},
  {"gd", "grd", "Grenada", NULL, NULL},
  {"ge", "geo", "Georgia", NULL, NULL},
  {"gf", "guf", "French Guiana", NULL, NULL},
  {"gg", "ggy", "Guernsey", NULL, NULL},
  {"gh", "gha", "Ghana", NULL, "Republic of Ghana"},
  {"gi", "gib", "Gibraltar", NULL, NULL},
  {"gl", "grl", "Greenland", NULL, NULL},
  {"gm", "gmb", "Gambia", NULL, "Republic of the Gambia"},
  {"gn", "gin", "Guinea", NULL, "Republic of Guinea"},
  {"gp", "glp", "Guadeloupe", NULL, NULL},
  {"gq", "gnq", "Equatorial Guinea", NULL, "Republic of Equatorial Guinea"},
  {"gr", "grc", "Greece", NULL, "Hellenic Republic"},
  {"gs", "sgs", "South Georgia and the South Sandwich Islands", NULL, NULL},
  {"gt", "gtm", "Guatemala", NULL, "Republic of Guatemala"},
  {"gu", "gum", "Guam", NULL, NULL},
  {"gw", "gnb", "Guinea-Bissau", NULL, "Republic of Guinea-Bissau"},
  {"gy", "guy", "Guyana", NULL, "Republic of Guyana"},
  {"hk", "hkg", "Hong Kong", NULL, "Hong Kong Special Administrative Region of China"},
  {"hm", "hmd", "Heard Island and McDonald Islands", NULL, NULL},
  {"hn", "hnd", "Honduras", NULL, "Republic of Honduras"},
  {"hr", "hrv", "Croatia", NULL, "Republic of Croatia"},
  {"ht", "hti", "Haiti", NULL, "Republic of Haiti"},
  {"hu", "hun", "Hungary", NULL, "Hungary"},
  {"id", "idn", "Indonesia", NULL, "Republic of Indonesia"},
  {"ie", "irl", "Ireland", NULL, NULL},
  {"il", "isr", "Israel", NULL, "State of Israel"},
  {"im", "imn", "Isle of Man", NULL, NULL},
  {"in", "ind", "India", NULL, "Republic of India"},
  {"io", "iot", "British Indian Ocean Territory", NULL, NULL},
  {"iq", "irq", "Iraq", NULL, "Republic of Iraq"},
  {"ir", "irn", "Iran", "Iran, Islamic Republic of", "Islamic Republic of Iran"},
  {"is", "isl", "Iceland", NULL, "Republic of Iceland"},
  {"it", "ita", "Italy", NULL, "Italian Republic"},
  {"je", "jey", "Jersey", NULL, NULL},
  {"jm", "jam", "Jamaica", NULL, NULL},
  {"jo", "jor", "Jordan", NULL, "Hashemite Kingdom of Jordan"},
  {"jp", "jpn", "Japan", NULL, NULL},
  {"ke", "ken", "Kenya", NULL, "Republic of Kenya"},
  {"kg", "kgz", "Kyrgyzstan", NULL, "Kyrgyz Republic"},
  {"kh", "khm", "Cambodia", NULL, "Kingdom of Cambodia"},
  {"ki", "kir", "Kiribati", NULL, "Republic of Kiribati"},
  {"km", "com", "Comoros", NULL, "Union of the Comoros"},
  {"kn", "kna", "Saint Kitts and Nevis", NULL, NULL},
  {"kp", "prk", "North Korea", "Korea, Democratic People's Republic of", "Democratic People's Republic of Korea"},
  {"kr", "kor", "South Korea", "Korea, Republic of", NULL},
  {"kw", "kwt", "Kuwait", NULL, "State of Kuwait"},
  {"ky", "cym", "Cayman Islands", NULL, NULL},
  {"kz", "kaz", "Kazakhstan", NULL, "Republic of Kazakhstan"},
  {"la", "lao", "Laos", "Lao People's Democratic Republic", NULL},
  {"lb", "lbn", "Lebanon", NULL, "Lebanese Republic"},
  {"lc", "lca", "Saint Lucia", NULL, NULL},
  {"li", "lie", "Liechtenstein", NULL, "Principality of Liechtenstein"},
  {"lk", "lka", "Sri Lanka", NULL, "Democratic Socialist Republic of Sri Lanka"},
  {"lr", "lbr", "Liberia", NULL, "Republic of Liberia"},
  {"ls", "lso", "Lesotho", NULL, "Kingdom of Lesotho"},
  {"lt", "ltu", "Lithuania", NULL, "Republic of Lithuania"},
  {"lu", "lux", "Luxembourg", NULL, "Grand Duchy of Luxembourg"},
  {"lv", "lva", "Latvia", NULL, "Republic of Latvia"},
  {"ly", "lby", "Libya", NULL, "Libya"},
  {"ma", "mar", "Morocco", NULL, "Kingdom of Morocco"},
  {"mc", "mco", "Monaco", NULL, "Principality of Monaco"},
  {"md", "mda", "Moldova", "Moldova, Republic of", "Republic of Moldova"},
  {"me", "mne", "Montenegro", NULL, "Montenegro"},
  {"mf", "maf", "Saint Martin (French part)", NULL, NULL},
  {"mg", "mdg", "Madagascar", NULL, "Republic of Madagascar"},
  {"mh", "mhl", "Marshall Islands", NULL, "Republic of the Marshall Islands"},
  {"mk", "mkd", "North Macedonia", NULL, "Republic of North Macedonia"},
  {"ml", "mli", "Mali", NULL, "Republic of Mali"},
  {"mm", "mmr", "Myanmar", NULL, "Republic of Myanmar"},
  {"mn", "mng", "Mongolia", NULL, NULL},
  {"mo", "mac", "Macao", NULL, "Macao Special Administrative Region of China"},
  {"mp", "mnp", "Northern Mariana Islands", NULL, "Commonwealth of the Northern Mariana Islands"},
  {"mq", "mtq", "Martinique", NULL, NULL},
  {"mr", "mrt", "Mauritania", NULL, "Islamic Republic of Mauritania"},
  {"ms", "msr", "Montserrat", NULL, NULL},
  {"mt", "mlt", "Malta", NULL, "Republic of Malta"},
  {"mu", "mus", "Mauritius", NULL, "Republic of Mauritius"},
  {"mv", "mdv", "Maldives", NULL, "Republic of Maldives"},
  {"mw", "mwi", "Malawi", NULL, "Republic of Malawi"},
  {"mx", "mex", "Mexico", NULL, "United Mexican States"},
  {"my", "mys", "Malaysia", NULL, NULL},
  {"mz", "moz", "Mozambique", NULL, "Republic of Mozambique"},
  {"na", "nam", "Namibia", NULL, "Republic of Namibia"},
  {"nc", "ncl", "New Caledonia", NULL, NULL},
  {"ne", "ner", "Niger", NULL, "Republic of the Niger"},
  {"nf", "nfk", "Norfolk Island", NULL, NULL},
  {"ng", "nga", "Nigeria", NULL, "Federal Republic of Nigeria"},
  {"ni", "nic", "Nicaragua", NULL, "Republic of Nicaragua"},
  {"nl", "nld", "Netherlands", NULL, "Kingdom of the Netherlands"},
  {"no", "nor", "Norway", NULL, "Kingdom of Norway"},
  {"np", "npl", "Nepal", NULL, "Federal Democratic Republic of Nepal"},
  {"nr", "nru", "Nauru", NULL, "Republic of Nauru"},
  {"nu", "niu", "Niue", NULL, "Niue"},
  {"nz", "nzl", "New Zealand", NULL, NULL},
  {"om", "omn", "Oman", NULL, "Sultanate of Oman"},
  {"pa", "pan", "Panama", NULL, "Republic of Panama"},
  {"pe", "per", "Peru", NULL, "Republic of Peru"},
  {"pf", "pyf", "French Polynesia", NULL, NULL},
  {"pg", "png", "Papua New Guinea", NULL, "Independent State of Papua New Guinea"},
  {"ph", "phl", "Philippines", NULL, "Republic of the Philippines"},
  {"pk", "pak", "Pakistan", NULL, "Islamic Republic of Pakistan"},
  {"pl", "pol", "Poland", NULL, "Republic of Poland"},
  {"pm", "spm", "Saint Pierre and Miquelon", NULL, NULL},
  {"pn", "pcn", "Pitcairn", NULL, NULL},
  {"pr", "pri", "Puerto Rico", NULL, NULL},
  {"ps", "pse", "Palestine, State of", NULL, "the State of Palestine"},
  {"pt", "prt", "Portugal", NULL, "Portuguese Republic"},
  {"pw", "plw", "Palau", NULL, "Republic of Palau"},
  {"py", "pry", "Paraguay", NULL, "Republic of Paraguay"},
  {"qa", "qat", "Qatar", NULL, "State of Qatar"},
  {"re", "reu", "Réunion", NULL, NULL},
  {"ro", "rou", "Romania", NULL, NULL},
  {"rs", "srb", "Serbia", NULL, "Republic of Serbia"},
  {"ru", "rus", "Russian Federation", NULL, NULL},
  {"rw", "rwa", "Rwanda", NULL, "Rwandese Republic"},
  {"sa", "sau", "Saudi Arabia", NULL, "Kingdom of Saudi Arabia"},
  {"sb", "slb", "Solomon Islands", NULL, NULL},
  {"sc", "syc", "Seychelles", NULL, "Republic of Seychelles"},
  {"sd", "sdn", "Sudan", NULL, "Republic of the Sudan"},
  {"se", "swe", "Sweden", NULL, "Kingdom of Sweden"},
  {"sg", "sgp", "Singapore", NULL, "Republic of Singapore"},
  {"sh", "shn", "Saint Helena, Ascension and Tristan da Cunha", NULL, NULL},
  {"si", "svn", "Slovenia", NULL, "Republic of Slovenia"},
  {"sj", "sjm", "Svalbard and Jan Mayen", NULL, NULL},
  {"sk", "svk", "Slovakia", NULL, "Slovak Republic"},
  {"sl", "sle", "Sierra Leone", NULL, "Republic of Sierra Leone"},
  {"sm", "smr", "San Marino", NULL, "Republic of San Marino"},
  {"sn", "sen", "Senegal", NULL, "Republic of Senegal"},
  {"so", "som", "Somalia", NULL, "Federal Republic of Somalia"},
  {"sr", "sur", "Suriname", NULL, "Republic of Suriname"},
  {"ss", "ssd", "South Sudan", NULL, "Republic of South Sudan"},
  {"st", "stp", "Sao Tome and Principe", NULL, "Democratic Republic of Sao Tome and Principe"},
  {"sv", "slv", "El Salvador", NULL, "Republic of El Salvador"},
  {"sx", "sxm", "Sint Maarten (Dutch part)", NULL, "Sint Maarten (Dutch part)"},
  {"sy", "syr", "Syria", "Syrian Arab Republic", NULL},
  {"sz", "swz", "Eswatini", NULL, "Kingdom of Eswatini"},
  {"tc", "tca", "Turks and Caicos Islands", NULL, NULL},
  {"td", "tcd", "Chad", NULL, "Republic of Chad"},
  {"tf", "atf", "French Southern Territories", NULL, NULL},
  {"tg", "tgo", "Togo", NULL, "Togolese Republic"},
  {"th", "tha", "Thailand", NULL, "Kingdom of Thailand"},
  {"tj", "tjk", "Tajikistan", NULL, "Republic of Tajikistan"},
  {"tk", "tkl", "Tokelau", NULL, NULL},
  {"tl", "tls", "Timor-Leste", NULL, "Democratic Republic of Timor-Leste"},
  {"tm", "tkm", "Turkmenistan", NULL, NULL},
  {"tn", "tun", "Tunisia", NULL, "Republic of Tunisia"},
  {"to", "ton", "Tonga", NULL, "Kingdom of Tonga"},
  {"tr", "tur", "Türkiye", NULL, "Republic of Türkiye"},
  {"tt", "tto", "Trinidad and Tobago", NULL, "Republic of Trinidad and Tobago"},
  {"tv", "tuv", "Tuvalu", NULL, NULL},
  {"tw", "twn", "Taiwan", "Taiwan, Province of China", "Taiwan, Province of China"},
  {"tz", "tza", "Tanzania", "Tanzania, United Republic of", "United Republic of Tanzania"},
  {"ua", "ukr", "Ukraine", NULL, NULL},
  {"ug", "uga", "Uganda", NULL, "Republic of Uganda"},
  {"um", "umi", "United States Minor Outlying Islands", NULL, NULL},
  {"us", "usa", "United States", NULL, "United States of America"},
  {"uy", "ury", "Uruguay", NULL, "Eastern Republic of Uruguay"},
  {"uz", "uzb", "Uzbekistan", NULL, "Republic of Uzbekistan"},
  {"va", "vat", "Holy See (Vatican City State)", NULL, NULL},
  {"vc", "vct", "Saint Vincent and the Grenadines", NULL, NULL},
  {"ve", "ven", "Venezuela", "Venezuela, Bolivarian Republic of", "Bolivarian Republic of Venezuela"},
  {"vg", "vgb", "Virgin Islands, British", NULL, "British Virgin Islands"},
  {"vi", "vir", "Virgin Islands, U.S.", NULL, "Virgin Islands of the United States"},
  {"vn", "vnm", "Vietnam", "Viet Nam", "Socialist Republic of Viet Nam"},
  {"vu", "vut", "Vanuatu", NULL, "Republic of Vanuatu"},
  {"wf", "wlf", "Wallis and Futuna", NULL, NULL},
  {"ws", "wsm", "Samoa", NULL, "Independent State of Samoa"},
  {"ye", "yem", "Yemen", NULL, "Republic of Yemen"},
  {"yt", "myt", "Mayotte", NULL, NULL},
  {"za", "zaf", "South Africa", NULL, "Republic of South Africa"},
  {"zm", "zmb", "Zambia", NULL, "Republic of Zambia"},
  {"zw", "zwe", "Zimbabwe", NULL, "Republic of Zimbabwe"},
};
#define N_COUNTRIES (sizeof COUNTRIES / sizeof COUNTRIES[0])

/* Variants: names, former names, list spellings and unambiguous
** nationality adjectives. */
static const struct { const char *text, *a2; } VARIANTS[] = {
  {"North Korea", "kp"}, {"Korea, North", "kp"}, {"Korea North", "kp"},
  {"DPRK", "kp"}, {"D.P.R.K.", "kp"}, {"DPR Korea", "kp"}, {"D.P.R. Korea", "kp"},
  {"Democratic People's Republic of Korea", "kp"},
  {"Korea, Democratic People's Republic of", "kp"},
  {"Korea (Democratic People's Republic of)", "kp"},
  {"Democratic Peoples Republic of Korea", "kp"}, {"North Korean", "kp"},
  {"South Korea", "kr"}, {"Korea, South", "kr"}, {"Republic of Korea", "kr"},
  {"Korea (Republic of)", "kr"}, {"ROK", "kr"}, {"South Korean", "kr"},
  {"Russia", "ru"}, {"Russian Federation", "ru"}, {"Russian", "ru"},
  {"Iran", "ir"}, {"Iran (Islamic Republic of)", "ir"}, {"Iranian", "ir"},
  {"Syria", "sy"}, {"Syrian Arab Republic", "sy"}, {"Syrian", "sy"},
  {"United Kingdom", "gb"}, {"United Kingdom of Great Britain and Northern Ireland", "gb"},
  {"Great Britain", "gb"}, {"UK", "gb"}, {"Britain", "gb"}, {"British", "gb"},
  {"England", "gb"}, {"Scotland", "gb"}, {"Wales", "gb"}, {"Northern Ireland", "gb"},
  {"United States", "us"}, {"United States of America", "us"}, {"USA", "us"},
  {"U.S.A.", "us"}, {"U.S.", "us"}, {"US", "us"}, {"American", "us"},
  {"Viet Nam", "vn"}, {"Vietnam", "vn"}, {"Vietnamese", "vn"},
  {"Turkey", "tr"}, {"Turkiye", "tr"}, {"Türkiye", "tr"}, {"Turkish", "tr"},
  {"China", "cn"}, {"People's Republic of China", "cn"}, {"PRC", "cn"},
  {"China, People's Republic of", "cn"}, {"Chinese", "cn"}, {"Mainland China", "cn"},
  {"Hong Kong", "hk"}, {"Hong Kong SAR", "hk"}, {"Hong Kong, China", "hk"},
  {"Hong Kong Special Administrative Region of China", "hk"},
  {"Macau", "mo"}, {"Macao", "mo"}, {"Macao, China", "mo"},
  {"Taiwan", "tw"}, {"Taiwan, Province of China", "tw"}, {"Chinese Taipei", "tw"},
  {"Burma", "mm"}, {"Myanmar", "mm"}, {"Myanmar (Burma)", "mm"},
  {"Laos", "la"}, {"Lao People's Democratic Republic", "la"}, {"Lao PDR", "la"},
  {"Bolivia", "bo"}, {"Bolivia (Plurinational State of)", "bo"},
  {"Venezuela", "ve"}, {"Venezuela (Bolivarian Republic of)", "ve"}, {"Venezuelan", "ve"},
  {"Tanzania", "tz"}, {"United Republic of Tanzania", "tz"}, {"Tanzania, United Republic of", "tz"},
  {"Moldova", "md"}, {"Republic of Moldova", "md"}, {"Moldova, Republic of", "md"},
  {"Micronesia", "fm"}, {"Micronesia (Federated States of)", "fm"},
  {"Micronesia, Federated States of", "fm"},
  {"Congo", "cg"}, {"Republic of the Congo", "cg"}, {"Congo, Republic of the", "cg"},
  {"Congo-Brazzaville", "cg"}, {"Congo (Brazzaville)", "cg"},
  {"Democratic Republic of the Congo", "cd"}, {"Congo, Democratic Republic of the", "cd"},
  {"Congo, The Democratic Republic of the", "cd"}, {"DRC", "cd"}, {"DR Congo", "cd"},
  {"Congo-Kinshasa", "cd"}, {"Congo (Kinshasa)", "cd"}, {"Zaire", "cd"},
  {"Cote d'Ivoire", "ci"}, {"Cote d Ivoire", "ci"}, {"Ivory Coast", "ci"},
  {"Gambia", "gm"}, {"The Gambia", "gm"}, {"Gambia, The", "gm"},
  {"Bahamas", "bs"}, {"The Bahamas", "bs"}, {"Bahamas, The", "bs"},
  {"Cabo Verde", "cv"}, {"Cape Verde", "cv"},
  {"Czechia", "cz"}, {"Czech Republic", "cz"},
  {"Eswatini", "sz"}, {"Swaziland", "sz"},
  {"North Macedonia", "mk"}, {"Macedonia", "mk"}, {"The former Yugoslav Republic of Macedonia", "mk"},
  {"Macedonia, The Former Yugoslav Republic of", "mk"},
  {"Palestine", "ps"}, {"Palestine, State of", "ps"}, {"State of Palestine", "ps"},
  {"Palestinian Territories", "ps"}, {"West Bank", "ps"}, {"Gaza", "ps"}, {"Gaza Strip", "ps"},
  {"Occupied Palestinian Territory", "ps"},
  {"Brunei", "bn"}, {"Brunei Darussalam", "bn"},
  {"East Timor", "tl"}, {"Timor-Leste", "tl"},
  {"Holy See", "va"}, {"Vatican", "va"}, {"Vatican City", "va"},
  {"Saint Kitts and Nevis", "kn"}, {"St. Kitts and Nevis", "kn"},
  {"Saint Lucia", "lc"}, {"St. Lucia", "lc"},
  {"Saint Vincent and the Grenadines", "vc"}, {"St. Vincent and the Grenadines", "vc"},
  {"Sao Tome and Principe", "st"}, {"Netherlands", "nl"}, {"Holland", "nl"},
  {"The Netherlands", "nl"}, {"Netherlands, The", "nl"},
  {"Kyrgyzstan", "kg"}, {"Kyrgyz Republic", "kg"},
  {"Slovakia", "sk"}, {"Slovak Republic", "sk"},
  {"Curacao", "cw"}, {"Reunion", "re"}, {"Aland Islands", "ax"},
  {"Falkland Islands", "fk"}, {"Falkland Islands (Malvinas)", "fk"},
  {"Virgin Islands, British", "vg"}, {"British Virgin Islands", "vg"},
  {"Virgin Islands, U.S.", "vi"}, {"US Virgin Islands", "vi"},
  {"Serbia and Montenegro", "rs"}, {"Kosovo", "xk"},
  {"Libya", "ly"}, {"Libyan Arab Jamahiriya", "ly"}, {"Libyan", "ly"},
  {"Yemen", "ye"}, {"Yemeni", "ye"}, {"Iraq", "iq"}, {"Iraqi", "iq"},
  {"Afghan", "af"}, {"Pakistani", "pk"}, {"Saudi", "sa"}, {"Saudi Arabian", "sa"},
  {"Lebanese", "lb"}, {"Egyptian", "eg"}, {"Sudanese", "sd"}, {"Somali", "so"},
  {"Belarusian", "by"}, {"Belarus", "by"}, {"Ukrainian", "ua"}, {"Cuban", "cu"},
  {"Malaysian", "my"}, {"Singaporean", "sg"}, {"Indonesian", "id"}, {"Thai", "th"},
  {"Japanese", "jp"}, {"Mongolian", "mn"}, {"Filipino", "ph"}, {"Philippine", "ph"},
  {"Cambodian", "kh"}, {"Indian", "in"}, {"German", "de"}, {"French", "fr"},
  {"Italian", "it"}, {"Spanish", "es"}, {"Swiss", "ch"}, {"Emirati", "ae"},
  {"UAE", "ae"}, {"U.A.E.", "ae"}, {"Qatari", "qa"}, {"Kuwaiti", "kw"}, {"Omani", "om"},
  {"Jordanian", "jo"}, {"Israeli", "il"}, {"Nigerian", "ng"}, {"Kenyan", "ke"},
  {"Ethiopian", "et"}, {"Eritrean", "er"}, {"Mexican", "mx"}, {"Colombian", "co"},
  {"Brazilian", "br"}, {"Nicaraguan", "ni"}, {"Kazakh", "kz"}, {"Uzbek", "uz"},
  {"Tajik", "tj"}, {"Turkmen", "tm"}, {"Azerbaijani", "az"}, {"Armenian", "am"},
  {"Georgian", "ge"}, {"Polish", "pl"}, {"Czech", "cz"}, {"Bulgarian", "bg"},
  {"Romanian", "ro"}, {"Serbian", "rs"}, {"Croatian", "hr"}, {"Bosnian", "ba"},
  {"Tunisian", "tn"}, {"Algerian", "dz"}, {"Moroccan", "ma"}, {"Malian", "ml"},
  {"Canadian", "ca"}, {"Australian", "au"}, {"Bangladeshi", "bd"}, {"Nepalese", "np"},
  {"Sri Lankan", "lk"}, {"Maldivian", "mv"}, {"Bahraini", "bh"}, {"Zimbabwean", "zw"},
  {"Ugandan", "ug"}, {"Rwandan", "rw"}, {"Burundian", "bi"}, {"Haitian", "ht"},
  {"Guatemalan", "gt"}, {"Honduran", "hn"}, {"Salvadoran", "sv"}, {"Panamanian", "pa"},
  {"Peruvian", "pe"}, {"Ecuadorian", "ec"}, {"Argentine", "ar"}, {"Argentinian", "ar"},
  {"Chilean", "cl"}, {"Paraguayan", "py"}, {"Uruguayan", "uy"}, {"Dutch", "nl"},
  {"Belgian", "be"}, {"Austrian", "at"}, {"Greek", "gr"}, {"Cypriot", "cy"},
  {"Maltese", "mt"}, {"Irish", "ie"}, {"Portuguese", "pt"}, {"Swedish", "se"},
  {"Norwegian", "no"}, {"Danish", "dk"}, {"Finnish", "fi"}, {"Estonian", "ee"},
  {"Latvian", "lv"}, {"Lithuanian", "lt"}, {"Hungarian", "hu"}, {"Slovenian", "si"},
  {"Albanian", "al"}, {"Montenegrin", "me"}, {"Moldovan", "md"}, {"Tanzanian", "tz"},
  {"South African", "za"}, {"Namibian", "na"}, {"Angolan", "ao"}, {"Mozambican", "mz"},
  {"Ghanaian", "gh"}, {"Senegalese", "sn"}, {"Chadian", "td"}, {"Nigerien", "ne"},
  {"Mauritanian", "mr"}, {"Djiboutian", "dj"}, {"South Sudanese", "ss"},
  {"Central African", "cf"}, {"Libyan Arab", "ly"}, {"Bruneian", "bn"},
  {"Laotian", "la"}, {"Burmese", "mm"}, {"Taiwanese", "tw"}, {"Sierra Leonean", "sl"},
  {"Liberian", "lr"}, {"Guinean", "gn"}, {"Beninese", "bj"}, {"Togolese", "tg"},
  {"Gabonese", "ga"}, {"Cameroonian", "cm"}, {"Zambian", "zm"}, {"Malawian", "mw"},
  {"Tongan", "to"}, {"Fijian", "fj"}, {"Samoan", "ws"}, {"Jamaican", "jm"},
  {"Trinidadian", "tt"}, {"Barbadian", "bb"}, {"Belizean", "bz"}, {"Costa Rican", "cr"},
  {"Dominican", "do"}, {"Bolivian", "bo"}, {"Palestinian", "ps"}, {"Kosovar", "xk"},
  {"New Zealander", "nz"}, {"Icelandic", "is"}, {"Luxembourgish", "lu"},
  {"Kyrgyz", "kg"}, {"Comorian", "km"}, {"Seychellois", "sc"}, {"Mauritian", "mu"},
  {"Malagasy", "mg"}, {"Bhutanese", "bt"}, {"Afghani", "af"},
};
#define N_VARIANTS (sizeof VARIANTS / sizeof VARIANTS[0])

/* Latin-1 Supplement and Latin Extended-A letters to ASCII base letters
** (U+00C0..U+017F), '?' where there is no single base letter. */
static const char FOLD[] =
  "aaaaaaaceeeeiiiidnooooo?ouuuuyts"
  "aaaaaaaceeeeiiiidnooooo?ouuuuyty"
  "aaaaaaccccccccddddeeeeeeeeeegggg"
  "gggghhhhiiiiiiiiiiiijjkkklllllll"
  "lllnnnnnnnnnoooooooorrrrrrssssss"
  "ssttttttuuuuuuuuuuuuwwyyyzzzzzzs";  /* 15F..17F */

#define KEY_MAX 128

/* Normalise text into key: ASCII lower-case words separated by one space. */
static void norm_key(const char *s, char *key) {
  size_t k = 0;
  bool space = false;
  size_t n = strlen(s);
  size_t i = 0;
  while (i < n && k + 2 < KEY_MAX) {
    uint32_t cp;
    int len = kpw_utf8_decode(s + i, n - i, &cp);
    if (len <= 0) { len = 1; cp = '?'; }
    i += (size_t)len;
    char c = 0;
    if (cp < 0x80) {
      c = (char)cp;
      if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
      if (c == '\'' || c == 0x60 || c == '.') continue;  /* d'Ivoire, U.S.A. */
      if (c == '&' && k + 6 < KEY_MAX) {                 /* "St. Kitts & Nevis" */
        if (k > 0) key[k++] = ' ';
        memcpy(key + k, "and", 3); k += 3;
        space = true;
        continue;
      }
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) c = ' ';
    } else if (cp == 0x2019 || cp == 0x2018) {
      continue;
    } else if (cp >= 0xC0 && cp <= 0x17F) {
      c = FOLD[cp - 0xC0];
      if (c == '?') c = ' ';
    } else {
      c = ' ';
    }
    if (c == ' ') { space = k > 0; continue; }
    if (space) { key[k++] = ' '; space = false; }
    key[k++] = c;
  }
  key[k] = 0;
}

typedef struct { char key[KEY_MAX]; const char *a2; } entry_t;
static entry_t *TABLE;
static size_t N_TABLE;
static pthread_once_t ONCE = PTHREAD_ONCE_INIT;

static int cmp_entry(const void *a, const void *b) {
  return strcmp(((const entry_t *)a)->key, ((const entry_t *)b)->key);
}

static void add_key(size_t *n, const char *text, const char *a2) {
  if (!text) return;
  norm_key(text, TABLE[*n].key);
  if (!TABLE[*n].key[0]) return;
  TABLE[*n].a2 = a2;
  (*n)++;
}

static void build(void) {
  size_t cap = N_COUNTRIES * 5 + N_VARIANTS;
  TABLE = kpw_xcalloc(cap, sizeof *TABLE);
  size_t n = 0;
  for (size_t i = 0; i < N_COUNTRIES; i++) {
    const country_t *c = &COUNTRIES[i];
    add_key(&n, c->a2, c->a2);
    add_key(&n, c->a3, c->a2);
    add_key(&n, c->name, c->a2);
    add_key(&n, c->alt, c->a2);
    add_key(&n, c->official, c->a2);
  }
  for (size_t i = 0; i < N_VARIANTS; i++) add_key(&n, VARIANTS[i].text, VARIANTS[i].a2);
  qsort(TABLE, n, sizeof *TABLE, cmp_entry);
  N_TABLE = n;
}

static const char *find_key(const char *key) {
  size_t lo = 0, hi = N_TABLE;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(key, TABLE[mid].key);
    if (c == 0) return TABLE[mid].a2;
    if (c < 0) hi = mid; else lo = mid + 1;
  }
  return NULL;
}

/* Drop a leading or trailing "the" word in place. */
static void drop_the(char *key) {
  size_t n = strlen(key);
  if (strncmp(key, "the ", 4) == 0) { memmove(key, key + 4, n - 3); n -= 4; }
  if (n > 4 && strcmp(key + n - 4, " the") == 0) key[n - 4] = 0;
}

const char *kpw_country_code(const char *text) {
  if (!text) return NULL;
  while (*text == ' ' || *text == '\t') text++;
  if (!*text || strlen(text) > 200) return NULL;
  pthread_once(&ONCE, build);
  char key[KEY_MAX];
  norm_key(text, key);
  if (!key[0]) return NULL;
  const char *r = find_key(key);
  if (r) return r;
  char k2[KEY_MAX];
  snprintf(k2, sizeof k2, "%s", key);
  drop_the(k2);
  if ((r = find_key(k2))) return r;
  /* "Korea, Republic of" -> "Republic of Korea": swap around the first comma
  ** of the original text. */
  const char *comma = strchr(text, ',');
  if (comma && comma[1]) {
    char swapped[KEY_MAX * 2];
    int len = (int)(comma - text);
    snprintf(swapped, sizeof swapped, "%s %.*s", comma + 1, len, text);
    norm_key(swapped, k2);
    if ((r = find_key(k2))) return r;
    drop_the(k2);
    if ((r = find_key(k2))) return r;
  }
  /* "Iran (Islamic Republic of)" -> "Iran". */
  const char *paren = strchr(text, '(');
  if (paren && paren > text) {
    char head[KEY_MAX];
    int len = (int)(paren - text);
    if (len >= KEY_MAX) len = KEY_MAX - 1;
    snprintf(head, sizeof head, "%.*s", len, text);
    norm_key(head, k2);
    if (k2[0] && (r = find_key(k2))) return r;
  }
  return NULL;
}

const char *kpw_country_name(const char *alpha2) {
  if (!alpha2 || strlen(alpha2) != 2) return NULL;
  char a[3] = { (char)(alpha2[0] | 0x20), (char)(alpha2[1] | 0x20), 0 };
  size_t lo = 0, hi = N_COUNTRIES;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(a, COUNTRIES[mid].a2);
    if (c == 0) return COUNTRIES[mid].name;
    if (c < 0) hi = mid; else lo = mid + 1;
  }
  if (strcmp(a, "xk") == 0) return "Kosovo";
  return NULL;
}
