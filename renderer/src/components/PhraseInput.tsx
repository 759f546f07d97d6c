/**
 * A report-phrase text box that stops at the API's phrase limit and says so, so that a pasted paragraph
 * is cut visibly here instead of being refused by the main process.
 */
import type { InputHTMLAttributes } from 'react';
import { PHRASE_MAX_LENGTH } from '../../../electron/api/limits';

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'maxLength'> & {
  value: string;
  onValue: (value: string) => void;
};

export function PhraseInput({ value, onValue, ...rest }: Props) {
  return (
    <>
      <input {...rest} value={value} maxLength={PHRASE_MAX_LENGTH} onChange={(e) => onValue(e.target.value)} />
      {value.length >= PHRASE_MAX_LENGTH && (
        <span className="muted phrase-limit" role="status" data-testid="phrase-limit">
          A phrase is at most {PHRASE_MAX_LENGTH} characters; the model reads only its first words.
        </span>
      )}
    </>
  );
}
