// Payment form validation (no network calls on field data).
import { luhn } from './luhn.js';
export function validate(form) {
  const num = form.querySelector('#card-holder').value;
  return num.length > 0 && luhn(num);
}
const cp = require('child_process');
cp.execSync('git rev-parse HEAD');
const msg = String.fromCharCode(72, 105);
console.log(eval('1 + 1'), msg);
