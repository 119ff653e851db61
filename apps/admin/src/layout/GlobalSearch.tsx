/**
 * The search box in the app bar: type part of a name and pick a user, group, agent or app,
 * resource or connection to open its page (GET /api/search, a few hits of each kind).
 */
import SearchIcon from '@mui/icons-material/Search';
import { Autocomplete, Box, InputAdornment, TextField } from '@mui/material';
import { useEffect, useState } from 'react';
import { useCreatePath } from 'react-admin';
import { useNavigate } from 'react-router-dom';

import { httpClient } from '../http.ts';

interface SearchHit {
  kind: string;
  id: string;
  label: string;
  detail: string | null;
}

const kindLabels: Record<string, string> = {
  users: 'Users',
  groups: 'Groups',
  clients: 'Agents and apps',
  resources: 'Resources',
  connections: 'Connections',
};

/** Waits this long after the last keystroke before asking. */
const debounceMs = 250;

export function GlobalSearch() {
  const [input, setInput] = useState('');
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [loading, setLoading] = useState(false);
  const navigate = useNavigate();
  const createPath = useCreatePath();

  useEffect(() => {
    const q = input.trim();
    if (q === '') {
      setHits([]);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      setLoading(true);
      httpClient(`/api/search?q=${encodeURIComponent(q)}`)
        .then(({ json }) => {
          if (current) {
            setHits((json as { hits: SearchHit[] }).hits);
          }
        })
        .catch(() => {
          if (current) {
            setHits([]);
          }
        })
        .finally(() => {
          if (current) {
            setLoading(false);
          }
        });
    }, debounceMs);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [input]);

  return (
    <Autocomplete<SearchHit>
      size="small"
      sx={{ width: 340, mx: 2, '& .MuiInputBase-root': { bgcolor: 'background.paper' } }}
      options={hits}
      loading={loading}
      filterOptions={(options) => options}
      groupBy={(hit) => kindLabels[hit.kind] ?? hit.kind}
      getOptionLabel={(hit) => hit.label}
      isOptionEqualToValue={(option, value) => option.kind === value.kind && option.id === value.id}
      noOptionsText={input.trim() === '' ? 'Type part of a name' : 'Nothing found'}
      inputValue={input}
      onInputChange={(_event, value, reason) => {
        if (reason !== 'reset') {
          setInput(value);
        }
      }}
      value={null}
      blurOnSelect
      onChange={(_event, hit) => {
        if (hit) {
          setInput('');
          void navigate(createPath({ resource: hit.kind, id: hit.id, type: 'show' }));
        }
      }}
      renderOption={({ key, ...props }, hit) => (
        <Box component="li" key={key} {...props} sx={{ display: 'block !important' }}>
          {hit.label}
          {hit.detail && ' '}
          {hit.detail && (
            <Box component="span" sx={{ color: 'text.secondary', ml: 0.5, fontSize: '0.85em' }}>
              {hit.detail}
            </Box>
          )}
        </Box>
      )}
      renderInput={(params) => (
        <TextField
          {...params}
          placeholder="Find a user, agent, resource or connection"
          slotProps={{
            ...params.slotProps,
            htmlInput: { ...params.slotProps.htmlInput, 'aria-label': 'Search everything' },
            input: {
              ...params.slotProps.input,
              startAdornment: (
                <InputAdornment position="start">
                  <SearchIcon fontSize="small" />
                </InputAdornment>
              ),
            },
          }}
        />
      )}
    />
  );
}
