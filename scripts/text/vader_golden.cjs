#!/usr/bin/env node
// Writes the golden VADER outputs that fksteer.text.VaderTest checks the Java port against (run once;
// the result is committed as fksteer-core/src/test/resources/fksteer/text/vader-golden.tsv):
//
//   (cd /tmp && npm install vader-sentiment@1.1.3)
//   node scripts/text/vader_golden.cjs /tmp/node_modules/vader-sentiment data/text/heldout-eval.txt \
//       > fksteer-core/src/test/resources/fksteer/text/vader-golden.tsv
//
// Inputs: the hand-written SENTENCES below (each exercises a rule of vaderSentiment-js 1.1.3, named in
// its comment), then every 9th quotation of heldout-eval.txt (lines 0, 9, 18, ...: 100 quotations).
// Output: '#' comment lines, then one line per input: text <TAB> compound <TAB> rawCompound, where
// compound is polarity_scores(text).compound as the package returns it (rounded by toFixed(4)) and
// rawCompound is the same value before that rounding, captured by wrapping Number.prototype.toFixed
// while polarity_scores runs (the package's only toFixed(4) call is on the compound). The text is
// escaped: '\\' as \\, '#' as \u0023 and every character outside printable ASCII as \uXXXX (UTF-16
// units), so tabs, newlines and Unicode spaces survive the TSV.
'use strict';
const fs = require('fs');
const path = require('path');

const [moduleDir, evalFile] = process.argv.slice(2);
if (!moduleDir || !evalFile) {
  console.error('usage: vader_golden.cjs <node_modules/vader-sentiment> <data/text/heldout-eval.txt>');
  process.exit(2);
}
const pkg = JSON.parse(fs.readFileSync(path.join(moduleDir, 'package.json'), 'utf8'));
if (pkg.name !== 'vader-sentiment' || pkg.version !== '1.1.3') throw new Error('need vader-sentiment 1.1.3, got ' + pkg.version);
const analyzer = require(path.resolve(moduleDir)).SentimentIntensityAnalyzer;

const long = 'The weather was good and the food was great but the service was slow. '.repeat(120) + 'Awful!!';
const SENTENCES = [
  // the package's own test cases (vaderSentiment's demo) and README example
  'VADER is smart, handsome, and funny.',
  'VADER is not smart, handsome, nor funny.',
  'VADER is smart, handsome, and funny!',
  'VADER is very smart, handsome, and funny.',
  'VADER is VERY SMART, handsome, and FUNNY.',
  'VADER is VERY SMART, handsome, and FUNNY!!!',
  'VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!',
  'VADER is very smart, handsome, and funny',
  'The book was good.',
  'The book was kind of good.',
  'The plot was good, but the characters are uncompelling and the dialog is not great.',
  "At least it isn't a horrible book.",
  'Make sure you :) or :D today!',
  'Today SUX!',
  "Today only kinda sux! But I'll get by, lol",
  // the Python README's further examples
  'Today sux',
  'Not bad at all',
  'A really bad, horrible book.',
  'Not such a badass after all? hmm',
  'Catch utf-8 emoji such as \u{1F498} and \u{1F48B} and \u{1F601}',
  // negation: NEGATE words one, two and three words back, "n't", case, four words back (no effect)
  'This is not good.',
  "This isn't good.",
  "I don't like it.",
  "I DON'T like it.",
  'He is never happy.',
  'Nothing about it was nice',
  'It was not really very good',
  'I would not say that it is good',
  'Without doubt, a great movie.',
  "It's not that I don't love it.",
  'uh-uh, that is not okay',
  // "never so" / "never this" (x1.5 two back, x1.25 three back), and "so"/"this" just before
  'It was never so good',
  'It was never this good',
  'never so very good',
  'never really so good',
  'It was so very good',
  // "least"
  'This is the least good movie.',
  'At least good',
  'very least good',
  'least good',
  // "but" / "BUT" (0.5 before, 1.5 after), "but," through the punctuation map
  'The food was great but the service was terrible.',
  'Great food BUT terrible service.',
  'Good, but, bad',
  'But it was good',
  // boosters and dampeners, distance scaling 1 / 0.95 / 0.9, ALL-CAPS boosters
  'It was extremely good',
  'It was EXTREMELY good',
  'really quite very good',
  'The movie was absolutely terrible',
  'slightly bad weather',
  'The food is hardly good',
  'It was sort of nice',
  'It was kind of bad',
  'It was Kind Of good',
  'It was \u212Aind of good',
  // idioms (checked three words after a non-lexicon word)
  'Wow that party was the bomb',
  'I think he is a bad ass',
  'Oh yeah right that was great',
  'Well that plan will cut the mustard',
  'For good ideas it is the kiss of death',
  'They lived hand to mouth sadly',
  // ALL CAPS
  'GOOD',
  'This is GREAT',
  'THIS IS GREAT',
  'I HATE this',
  '\u00C7A VA good',
  // punctuation emphasis
  'Good!',
  'Good!!',
  'Good!!!!!!',
  'Bad!!!',
  'Good?',
  'Good??',
  'Good???',
  'Good????',
  'Good! Great! Nice! Fine! Yes! Cool!',
  'Good? Nice? Fine? Great?',
  'Terrible!!!',
  'Is it good?!?!',
  'Really??? That is bad!!!?',
  'It was good...',
  '--good--',
  "'good'",
  '(good)',
  'good!?',
  // emoticons and lexicon oddities
  ':)',
  ':(',
  '<3 you',
  ':-D :-Þ :Þ',
  'xD lol',
  '1337 143',
  'The __proto__ constructor hasOwnProperty toString is good',
  // edge cases: empty, blank, single letters, only punctuation, whitespace JS splits on (and U+0085,
  // which it does not), Turkish dotted I
  '',
  '   ',
  'a',
  'I a',
  '!!!',
  '???',
  '!?',
  'good\tbad',
  'good\nday\r\nbad',
  'good\u00A0day',
  'great\u2028job',
  'nice\u0085day',
  'happy\u3000day',
  'sad\uFEFFday',
  'fun\u180Eday',
  '\u0130stanbul is great',
  // long text
  long
];

const quotations = fs.readFileSync(evalFile, 'utf8').split('\n').filter(l => l.length > 0);
const picked = quotations.filter((_, i) => i % 9 === 0).slice(0, 100);

function escape(s) {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (s[i] === '\\') out += '\\\\';
    else if (s[i] === '#' || c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0').toUpperCase();
    else out += s[i];
  }
  return out;
}

function scores(text) {
  const original = Number.prototype.toFixed;
  let raw = null;
  Number.prototype.toFixed = function (digits) {
    if (digits === 4) {
      if (raw !== null) throw new Error('two toFixed(4) calls');
      raw = Number(this);
    }
    return original.call(this, digits);
  };
  let r;
  try {
    r = analyzer.polarity_scores(text);
  } finally {
    Number.prototype.toFixed = original;
  }
  if (raw === null) {
    if (r.compound !== 0) throw new Error('no raw compound for ' + text);
    raw = 0; // no sentiment-bearing tokens: the package returns 0 without computing one
  }
  if (parseFloat(raw.toFixed(4)) !== r.compound) throw new Error('raw compound does not round to the output');
  return [r.compound, raw];
}

const out = [];
out.push('# vader-sentiment ' + pkg.version + ' (npm), node ' + process.version + '; made by scripts/text/vader_golden.cjs');
out.push('# text (escaped) <TAB> compound (package output, 4 decimals) <TAB> raw compound (before rounding)');
for (const text of SENTENCES.concat(picked)) {
  const [c, raw] = scores(text);
  out.push(escape(text) + '\t' + String(c) + '\t' + String(raw));
}
process.stdout.write(out.join('\n') + '\n');
console.error(SENTENCES.length + ' sentences, ' + picked.length + ' quotations');
